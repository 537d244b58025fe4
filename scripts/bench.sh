#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: xcall's calls and merged queue against the kernel's own
# paths, measured in-kernel (debugfs "bench", alternating rounds) on each
# kernel flavour (FLAVOURS, "generic rt generic-6.12 rt-6.12": both kernel
# lines) at each vCPU count (BENCH_CPUS,
# "2 4 8 16"), one guest run per pair. Writes build/bench/:
#   results.csv    kernel,vcpus,mode,side,statistic,value
#   results.md     a Markdown table per kernel and vCPU count, then the
#                  kernel lines side by side and the goals, met or missed
#   ratio.png      median ratio xcall/kernel per mode and kernel, min-max bars
#   burst.png      ns per node and kicks per node against burst size
#   scaling.png    cost per node against vCPU count (fanin, burst)
# CPU 1, the target, runs a spinning process meanwhile: an idle target is
# woken from hlt through the host's scheduler, which varies far more than
# the calls (and a polling idle CPU gets no IPI at all).
# N calls per round at 4 vCPUs (500; scaled by 4/vCPUs above 4, since each
# call costs more when more vCPUs share the host's cores: a guest's time
# stays about the same), ROUNDS (11), broadcast N/20 calls; burst sizes
# BURSTS (1 10 100 1000 10000).
# The kernel-made yardstick: in the same guest, after the bench, the kernel's
# own smp_call_function torture (scftorture with its defaults, built out of
# tree: scripts/build-scftorture.sh) runs SCF_SECONDS (30) at the vCPU
# counts in SCF_CPUS (default: every count of BENCH_CPUS), and its final
# scf_invoked_count (printed at rmmod) over the run's length gives
# invocations per second: mode scftorture, side kernel, in results.csv.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$XCALL_TOP/scripts/deps.sh" gnuplot-nox
flavours=${FLAVOURS:-generic rt generic-6.12 rt-6.12}
base_n=${N:-500}
rounds=${ROUNDS:-11}
bursts=${BURSTS:-1 10 100 1000 10000}
scf_seconds=${SCF_SECONDS:-30}
case "$scf_seconds" in ''|*[!0-9]*|0) die "SCF_SECONDS takes a positive number" ;; esac
out=$XCALL_BUILD/bench
mkdir -p "$out"
csv=$out/results.csv
echo "kernel,vcpus,mode,side,statistic,value" >"$csv"

guest_cmd() {
	local cpus=$1 n=$base_n
	[ "$cpus" -le 4 ] || n=$((base_n * 4 / cpus))
	cat <<EOF
insmod /xcall/xcall.ko
taskset -c 1 sh -c 'while :; do :; done' &
spinner=\$!
sleep 1
D=/sys/kernel/debug/xcall
run() {
	if echo "\$2" > \$D/bench; then
		echo "bench-mode \$1"; cat \$D/bench
	else
		echo "bench-failed \$2"
	fi
}
for m in sync async queue_sync queue_async remote_irq_work; do run \$m "\$m cpu=1 n=$n rounds=$rounds"; done
run local "local cpu=0 n=$n rounds=$rounds"
run broadcast "broadcast cpu=0 n=$(((n + 19) / 20)) rounds=$rounds"
run fanin "fanin cpu=1 n=$n rounds=$rounds"
for b in $bursts; do run burst-\$b "burst cpu=1 n=\$b rounds=$rounds"; done
kill \$spinner
rmmod xcall
EOF
	case " ${SCF_CPUS:-$cpus} " in
	*" $cpus "*)
		# The run's length: from before insmod to after rmmod, which
		# stops the threads and prints the final count.
		cat <<EOF
up() { cut -d' ' -f1 /proc/uptime; }
t0=\$(up)
if insmod /xcall/torture.ko && insmod /xcall/scftorture.ko; then
	sleep $scf_seconds
	rmmod scftorture
	t1=\$(up)
	rmmod torture
	echo "bench-mode scftorture"
	echo "scftorture_seconds \$t0 \$t1"
	dmesg | grep 'scf_invoked_count' | tail -n 1
else
	echo "bench-failed scftorture"
fi
EOF
		;;
	esac
}

# A report's lines as CSV rows: the line's name gives the side, its three
# values the statistic's median, min and max.
to_csv() {
	awk -v k="$1" -v c="$2" '
		/^bench-mode / { mode = $2; next }
		/^bench-failed/ { print "xcall: bench: " $0 > "/dev/stderr"; next }
		# scftorture: invocations over the seconds from insmod to rmmod.
		mode == "scftorture" && $1 == "scftorture_seconds" { secs = $3 - $2; next }
		mode == "scftorture" && /scf_invoked_count/ {
			line = $0; sub(/.*scf_invoked_count [^:]*: /, "", line); split(line, w, " ")
			if (secs > 0)
				printf "%s,%s,scftorture,kernel,invocations,%s\n%s,%s,scftorture,kernel,seconds,%.1f\n%s,%s,scftorture,kernel,invocations_per_s,%d\n",
					k, c, w[1], k, c, secs, k, c, w[1] / secs
			next
		}
		mode == "" || $2 != "median" { next }
		{
			side = $1; stat = $1
			if ($1 ~ /_ns_per_call$/) { side = $1; sub(/_ns_per_call$/, "", side); stat = "ns_per_call" }
			else if ($1 == "ratio") { side = "xcall/kernel"; stat = "ratio" }
			else if ($1 == "queue_ratio") { side = "queue/kernel"; stat = "ratio" }
			else side = "xcall"
			if (side == "raw") side = "kernel"
			printf "%s,%s,%s,%s,%s_median,%s\n%s,%s,%s,%s,%s_min,%s\n%s,%s,%s,%s,%s_max,%s\n",
				k, c, mode, side, stat, $3, k, c, mode, side, stat, $5, k, c, mode, side, stat, $7
		}'
}

start=$(date +%s)
for fl in $flavours; do
	scf=$("$XCALL_TOP/scripts/build-scftorture.sh" "$fl")
	for cpus in ${BENCH_CPUS:-2 4 8 16}; do
		t0=$(date +%s)
		note "bench: $fl kernel, $cpus vCPUs ..."
		log=$out/guest-$fl-$cpus.log
		XCALL_INITRAMFS_EXTRA="$scf/torture.ko $scf/scftorture.ko" \
		CPUS=$cpus GUEST_TIMEOUT=${GUEST_TIMEOUT:-900} MEM=${MEM:-2G} \
			"$XCALL_TOP/scripts/guest.sh" "$fl" run -- "$(guest_cmd "$cpus")" >"$log" 2>&1 ||
			die "bench: the $fl guest with $cpus vCPUs failed (log: $log)"
		guest_output "$log" | to_csv "$fl" "$cpus" >>"$csv"
		scf_rate=$(awk -F, -v k="$fl" -v c="$cpus" '$1 == k && $2 == c && $3 == "scftorture" && $5 == "invocations_per_s" { print $6 }' "$csv")
		note "bench: $fl kernel, $cpus vCPUs: $(($(date +%s) - t0)) s${scf_rate:+; scftorture $scf_rate invocations/s}"
	done
done

# ---- the Markdown table -----------------------------------------------------------------
awk -F, 'NR > 1 { v[$1 "," $2 "," $3 "," $4 "," $5] = $6; key[$1 "," $2] = 1; m[$3] = 1 }
	function r(k, mode, side, stat) { return v[k "," mode "," side "," stat] }
	function before(a, b,   x, y) { split(a, x, ","); split(b, y, ","); return x[1] < y[1] || (x[1] == y[1] && x[2] + 0 < y[2] + 0) }
	END {
		split("sync async queue_sync queue_async remote_irq_work burst-1000 fanin broadcast local", order, " ")
		n = 0	# keys in order (mawk has no asorti): kernel, then vCPUs as numbers
		for (kk in key) {
			keys[++n] = kk
			for (j = n; j > 1 && before(keys[j], keys[j - 1]); j--) { t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t }
		}
		for (i = 1; i <= n; i++) {
			split(keys[i], kc, ",")
			printf "\n### %s kernel, %s vCPUs\n\n", kc[1], kc[2]
			print "| mode | xcall ns | kernel ns | ratio median (min–max) | kicks/node | IPIs/node |"
			print "|---|---|---|---|---|---|"
			for (j = 1; j <= 9; j++) {
				mo = order[j]; k = keys[i]
				if (r(k, mo, "xcall/kernel", "ratio_median") == "") continue
				printf "| %s | %s | %s | %s (%s–%s) | %s | %s |\n", mo, r(k, mo, "xcall", "ns_per_call_median"),
					r(k, mo, "kernel", "ns_per_call_median"), r(k, mo, "xcall/kernel", "ratio_median"),
					r(k, mo, "xcall/kernel", "ratio_min"), r(k, mo, "xcall/kernel", "ratio_max"),
					r(k, mo, "xcall", "kicks_per_node_median"), r(k, mo, "xcall", "ipis_per_node_median")
				if (mo == "local")
					printf "| local (queue) | %s | %s | %s (%s–%s) | | |\n", r(k, mo, "queue", "ns_per_call_median"),
						r(k, mo, "kernel", "ns_per_call_median"), r(k, mo, "queue/kernel", "ratio_median"),
						r(k, mo, "queue/kernel", "ratio_min"), r(k, mo, "queue/kernel", "ratio_max")
			}
			if ((rate = r(keys[i], "scftorture", "kernel", "invocations_per_s")) != "")
				printf "\nKernel yardstick, same guest: scftorture (defaults) %s invocations/s (%s in %s s).\n", rate,
					r(keys[i], "scftorture", "kernel", "invocations"), r(keys[i], "scftorture", "kernel", "seconds")
		}
	}' "$csv" >"$out/results.md"

cpus_list=${BENCH_CPUS:-2 4 8 16}
ref=4
case " $cpus_list " in *" 4 "*) ;; *) ref=${cpus_list%% *} ;; esac

# ---- the kernel lines side by side, and the goals --------------------------------------
# At $ref vCPUs: per mode, each flavour's kernel path (ns per call) and
# xcall's ratio to it, so a reader sees how the kernel's own path changed
# from 6.1 to 6.12 and where xcall stands on each; then every bench goal
# (issues 9 and 22) per flavour, met or missed, with its figure.
awk -F, -v ref="$ref" -v fls="$flavours" 'NR > 1 && $2 == ref { v[$1 "," $3 "," $4 "," $5] = $6 }
	function r(fl, mode, side, stat) { return v[fl "," mode "," side "," stat] }
	function goal(fig, limit, shown) {
		if (fig == "") { printf " n/a |"; return }
		printf " %s %s |", shown, (fig + 0 <= limit + 0) ? "met" : "**missed**"
	}
	END {
		nf = split(fls, fl, " ")
		split("sync async queue_sync queue_async remote_irq_work local burst-10000 fanin broadcast", order, " ")
		printf "\n## Kernel lines side by side, %s vCPUs\n\n", ref
		printf "Each cell: ns per call of the kernel path / median ratio of xcall to it (min–max).\n\n| mode |"
		for (i = 1; i <= nf; i++) printf " %s |", fl[i]
		printf "\n|---|"
		for (i = 1; i <= nf; i++) printf "---|"
		print ""
		for (j = 1; j <= 9; j++) {
			printf "| %s |", order[j]
			for (i = 1; i <= nf; i++) {
				m = r(fl[i], order[j], "xcall/kernel", "ratio_median")
				if (m == "") { printf " |"; continue }
				printf " %s / %s (%s–%s) |", r(fl[i], order[j], "kernel", "ns_per_call_median"), m,
					r(fl[i], order[j], "xcall/kernel", "ratio_min"), r(fl[i], order[j], "xcall/kernel", "ratio_max")
			}
			print ""
		}
		printf "\n## Goals, %s vCPUs (medians)\n\n| goal |", ref
		for (i = 1; i <= nf; i++) printf " %s |", fl[i]
		printf "\n|---|"
		for (i = 1; i <= nf; i++) printf "---|"
		print ""
		split("queue_sync queue_async", one, " ")
		for (g = 1; g <= 2; g++) {
			printf "| %s ≤ 1.10 |", one[g]
			for (i = 1; i <= nf; i++) { x = r(fl[i], one[g], "xcall/kernel", "ratio_median"); goal(x, 1.10, x) }
			print ""
		}
		printf "| remote_irq_work ≤ 0.6 |"
		for (i = 1; i <= nf; i++) { x = r(fl[i], "remote_irq_work", "xcall/kernel", "ratio_median"); goal(x, 0.6, x) }
		printf "\n| local ≤ 1.02 |"
		for (i = 1; i <= nf; i++) { x = r(fl[i], "local", "xcall/kernel", "ratio_median"); goal(x, 1.02, x) }
		printf "\n| burst n=10000 ≤ 1.10 × kernel |"
		for (i = 1; i <= nf; i++) { x = r(fl[i], "burst-10000", "xcall/kernel", "ratio_median"); goal(x, 1.10, x) }
		printf "\n| burst n=10000 ≤ 0.05 kicks/node |"
		for (i = 1; i <= nf; i++) { x = r(fl[i], "burst-10000", "xcall", "kicks_per_node_median"); goal(x, 0.05, x) }
		printf "\n| fanin ≤ 1.5 × burst n=10000 (ns/node) |"
		for (i = 1; i <= nf; i++) {
			a = r(fl[i], "fanin", "xcall", "ns_per_call_median"); b = r(fl[i], "burst-10000", "xcall", "ns_per_call_median")
			if (a == "" || b + 0 == 0) { printf " n/a |"; continue }
			goal(a / b, 1.5, sprintf("%s/%s = %.2f", a, b, a / b))
		}
		printf "\n| broadcast ≤ 1.10 |"
		for (i = 1; i <= nf; i++) { x = r(fl[i], "broadcast", "xcall/kernel", "ratio_median"); goal(x, 1.10, x) }
		print ""
	}' "$csv" >>"$out/results.md"

# ---- plots ------------------------------------------------------------------------------
# Data files for gnuplot, then one script per plot.
get() { awk -F, -v k="$1" -v c="$2" -v m="$3" -v s="$4" -v t="$5" \
	'$1 == k && $2 == c && $3 == m && $4 == s && $5 == t { print $6 }' "$csv"; }
for fl in $flavours; do
	i=0
	for mo in sync async queue_sync queue_async remote_irq_work burst-1000 fanin broadcast local; do
		i=$((i + 1))
		med=$(get "$fl" "$ref" "$mo" xcall/kernel ratio_median)
		[ -n "$med" ] || continue
		echo "$i $mo $med $(get "$fl" "$ref" "$mo" xcall/kernel ratio_min) $(get "$fl" "$ref" "$mo" xcall/kernel ratio_max)"
	done >"$out/ratio-$fl.dat"
	for b in $bursts; do
		echo "$b $(get "$fl" "$ref" "burst-$b" xcall ns_per_call_median) $(get "$fl" "$ref" "burst-$b" kernel ns_per_call_median)" \
			"$(get "$fl" "$ref" "burst-$b" xcall kicks_per_node_median) $(get "$fl" "$ref" "burst-$b" xcall ipis_per_node_median)"
	done >"$out/burst-$fl.dat"
	for c in $cpus_list; do
		echo "$c $(get "$fl" "$c" fanin xcall ns_per_call_median) $(get "$fl" "$c" fanin kernel ns_per_call_median)" \
			"$(get "$fl" "$c" burst-1000 xcall ns_per_call_median) $(get "$fl" "$c" burst-1000 kernel ns_per_call_median)"
	done >"$out/scaling-$fl.dat"
done

plots() {
	local fl first=1 i=0 nfl
	nfl=$(echo $flavours | wc -w)
	echo "set terminal pngcairo size 1000,560 noenhanced"
	echo "set output '$out/ratio.png'"
	echo "set title 'xcall / kernel, median ratio per round (bars: min-max), $ref vCPUs, TCG'"
	echo "set xrange [0.5:9.5]; set logscale y; set yrange [*:*]; set grid ytics; set xtics rotate by -30"
	echo "set arrow from 0.5,1 to 9.5,1 nohead dashtype 2"
	printf "plot"
	for fl in $flavours; do
		[ $first = 1 ] || printf ","
		first=0
		# each flavour's bars side by side around the mode's tick
		printf " '%s' using (\$1+%s):3:4:5%s with yerrorbars pointtype 7 title '%s'" "$out/ratio-$fl.dat" \
			"$(awk -v i=$i -v n=$nfl 'BEGIN { printf "%.2f", (i - (n - 1) / 2) * 0.6 / n }')" \
			"$([ $i = 0 ] && echo ':xtic(2)')" "$fl"
		i=$((i + 1))
	done
	echo
	echo "set output '$out/burst.png'"
	echo "unset arrow; set xtics norotate; set logscale x; set xrange [0.5:20000]; set format x '%g'"
	echo "set multiplot layout 1,2"
	echo "set title 'ns per node vs burst size ($ref vCPUs)'; set logscale y; set yrange [*:*]"
	first=1
	printf "plot"
	for fl in $flavours; do
		[ $first = 1 ] || printf ","
		first=0
		printf " '%s' using 1:2 with linespoints title '%s xcall', '' using 1:3 with linespoints title '%s kernel'" \
			"$out/burst-$fl.dat" "$fl" "$fl"
	done
	echo
	echo "set title 'xcall kicks per node vs burst size'; set yrange [0.0001:2]"
	first=1
	printf "plot"
	for fl in $flavours; do
		[ $first = 1 ] || printf ","
		first=0
		printf " '%s' using 1:4 with linespoints title '%s kicks', '' using 1:5 with linespoints title '%s IPIs (hard IRQ)'" \
			"$out/burst-$fl.dat" "$fl" "$fl"
	done
	echo
	echo "unset multiplot"
	echo "set output '$out/scaling.png'"
	echo "unset logscale; set logscale y; set xrange [*:*]; set yrange [*:*]"
	echo "set title 'ns per node vs vCPUs (fanin: all other CPUs into one; burst: 1000 nodes from one)'"
	echo "set xlabel 'vCPUs'"
	first=1
	printf "plot"
	for fl in $flavours; do
		[ $first = 1 ] || printf ","
		first=0
		printf " '%s' using 1:2 with linespoints title '%s fanin xcall', '' using 1:3 with linespoints title '%s fanin kernel'," \
			"$out/scaling-$fl.dat" "$fl" "$fl"
		printf " '' using 1:4 with linespoints title '%s burst xcall', '' using 1:5 with linespoints title '%s burst kernel'" "$fl" "$fl"
	done
	echo
}
plots >"$out/plots.gp"
gnuplot "$out/plots.gp" || die "bench: gnuplot failed ($out/plots.gp)"
cat "$out/results.md"
note "bench: $(($(date +%s) - start)) s; $csv, $out/results.md, $out/{ratio,burst,scaling}.png"
