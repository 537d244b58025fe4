# SPDX-License-Identifier: GPL-2.0
# Reads a trace of ipi_send_cpu, csd_queue_cpu, csd_function_entry and
# sched_wake_idle_without_ipi (ipi_witness.sh), in time order, and prints
# "kicks ipis wakes joined unexplained" for xcall's kick CSDs:
#  - a kick is resolved by the next event on its sending CPU: an
#    ipi_send_cpu or sched_wake_idle_without_ipi to its target, else it
#    joined a CSD already queued there (a new csd_queue_cpu in the same
#    context, or the end). A csd_queue_cpu from an interrupt that came in
#    between (its hardirq/softirq mark differs) does not resolve it: the
#    kick's own IPI follows once the interrupt returns;
#  - a joined kick is explained if, when it was queued, the target had a
#    CSD queued that had not yet run. csd_function_entry marks a CSD run;
#    the kernel traces no entry for ttwu and irq_work entries, so those
#    count as pending until the target runs a traced CSD queued after
#    them: the flush that ran it took the whole list, and that list held
#    them or an earlier flush had taken them. (A traced CSD queued before
#    them proves nothing: its flush may have taken the list before they
#    were queued, and they wait for the next one.)
#  - or if another CPU queued a CSD to the same target after the kick's
#    event and before the kick ran: csd_queue_cpu is traced before the
#    llist_add(), so that CSD may have reached the list first, found it
#    empty and sent the IPI the kick then rode on.
# With -v where=FILE, the trace line number of each unexplained kick goes
# there, one per line (ipi_witness.sh shows the trace around them).
function field(re, off) { return match($0, re) ? substr($0, RSTART + off, RLENGTH - off) : "" }
function resolve(s, how) {
	if (how == "ipi") ipis++
	else if (how == "wake") wakes++
	else {
		joined++
		if (!had_pending[s] && !raced[s]) {
			# Unexplained unless another CPU queues to the target before it runs.
			suspect[kick_csd[s]] = pend[s]
			suspect_cpu[kick_csd[s]] = s
			suspect_line[kick_csd[s]] = kick_line[s]
		}
	}
	pend[s] = ""
}
function unexplain(k) {
	unexplained++
	if (where != "") print suspect_line[k] > where
	delete suspect[k]
}
{
	cpu = field("\\[[0-9]+\\]", 1); sub(/\]$/, "", cpu); cpu += 0
	target = field(" cpu=[0-9]+", 5)
	csd = field(" csd=[0-9a-fx]+", 5)
	ctx = substr(field("\\] [^ ]+ ", 2), 3, 1)	# the flags' hardirq/softirq mark
}
/ csd_queue_cpu: / {
	if (pend[cpu] != "" && ctx == kick_ctx[cpu]) resolve(cpu, "joined")
	for (s in pend) if (pend[s] == target && s != cpu) raced[s] = 1
	for (k in suspect) if (suspect[k] == target && suspect_cpu[k] != cpu) delete suspect[k]
	pending_here = untraced[target] > 0
	for (c in queued_to) if (queued_to[c] == target) pending_here = 1
	if ($0 ~ /RemoteQueue8CpuQueue4Kick/) {
		kicks++
		pend[cpu] = target
		had_pending[cpu] = pending_here
		raced[cpu] = 0
		kick_csd[cpu] = csd
		kick_line[cpu] = NR
		kick_ctx[cpu] = ctx
	}
	if ($0 ~ /func=(sched_ttwu_pending|irq_work)/) {
		untraced[target]++
		untraced_newest[target] = NR
	} else {
		queued_to[csd] = target
		queued_at[csd] = NR
	}
	next
}
/ csd_function_entry: / {
	if (csd in suspect) unexplain(csd)
	if (csd in queued_at && queued_at[csd] > untraced_newest[cpu]) untraced[cpu] = 0
	delete queued_to[csd]
	delete queued_at[csd]
	next
}
/ ipi_send_cpu: / { if (pend[cpu] != "" && pend[cpu] == target) resolve(cpu, "ipi"); next }
/ sched_wake_idle_without_ipi: / { if (pend[cpu] != "" && pend[cpu] == target) resolve(cpu, "wake"); next }
END {
	for (s in pend) if (pend[s] != "") resolve(s, "joined")
	for (k in suspect) unexplain(k)
	print kicks + 0, ipis + 0, wakes + 0, joined + 0, unexplained + 0
}
