#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/docs-check.sh: the documentation's own checks, on the host, KTAP.
#  - every link in README.md and docs/**/*.md to a file of the tree exists,
#    and every anchor (#section) names a heading of its file, spelt as
#    GitHub spells it (lower case, punctuation dropped, spaces to hyphens,
#    -1, -2 ... for repeated headings);
#  - the make targets table in README.md (between <!-- make-targets --> and
#    <!-- /make-targets -->, the one source `make help` prints) names every
#    target of the Makefile, and only those;
#  - `make help` prints one line per row of that table;
#  - README.md is at most 250 lines, `make demo` and `make check` within
#    its first 40;
#  - and the checker itself fails where it must: it is run on a scratch tree
#    with a broken link, a broken anchor and a target missing from the table.
# Usage: tests/docs-check.sh            (the tree it is in)
#        tests/docs-check.sh links DIR  (only the link check, on DIR: exit 1
#                                        and one "broken link" line each)
#        tests/docs-check.sh targets DIR
# Exit status 1 if anything failed. Needs bash, perl, make.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

# links DIR: checks README.md and docs/**/*.md under DIR. Prints
# "FILE:LINE: broken link TARGET: WHY" for each broken one.
links() {
	(cd "$1" && find . -path ./build -prune -o \( -path './README.md' -o -path './docs/*.md' \) -print |
		sed 's|^\./||' | sort | perl -CSD -e '
use strict; use warnings; use utf8;
use File::Basename qw(dirname);
use File::Spec;
my %anchors;
sub slug {	# GitHub: rendered text, lower case, punctuation out, " " -> "-"
	my $t = shift;
	$t =~ s/!?\[([^\]]*)\]\([^)]*\)/$1/g;	# a link shows its text
	$t =~ s/<[^>]*>//g;			# inline HTML
	$t = lc $t;
	$t =~ s/[^\p{L}\p{M}\p{N}\p{Pc}\- ]//g;
	$t =~ s/ /-/g;
	return $t;
}
sub anchors_of {	# the anchors a Markdown file defines
	my $f = shift;
	return $anchors{$f} if $anchors{$f};
	my (%a, %seen, $fence);
	open my $fh, "<:encoding(UTF-8)", $f or return {};
	while (<$fh>) {
		if (/^\s*(```|~~~)/) { $fence = !$fence; next }
		next if $fence;
		$a{$1} = 1 while /<a\s+(?:name|id)="([^"]+)"/g;
		next unless /^#{1,6}\s+(.*?)\s*#*\s*$/;
		my $s = slug($1);
		my $n = $seen{$s}++;
		$a{$n ? "$s-$n" : $s} = 1;
	}
	return $anchors{$f} = \%a;
}
my $bad = 0;
while (my $file = <STDIN>) {
	chomp $file;
	open my $fh, "<:encoding(UTF-8)", $file or die "$file: $!\n";
	my ($fence, $indented, $prev_blank) = (0, 0, 1);
	while (my $line = <$fh>) {
		chomp $line;
		if ($line =~ /^\s*(```|~~~)/) { $fence = !$fence; next }
		next if $fence;
		# an indented code block: 4 spaces after a blank line, and on
		$indented = ($line =~ /^(    |\t)/ && ($prev_blank || $indented)) ? 1 : 0;
		$prev_blank = $line =~ /^\s*$/;
		next if $indented;
		$line =~ s/(`+).*?\1//g;		# code spans
		while ($line =~ /!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g) {
			my $target = $1;
			next if $target =~ m{^[a-z][a-z0-9+.-]*:}i;	# http:, mailto: ...
			my ($path, $anchor) = split /#/, $target, 2;
			my $dest = $path eq "" ? $file :
				File::Spec->canonpath(dirname($file) . "/" . $path);
			my $why;
			if (!-e $dest) {
				$why = "no such file ($dest)";
			} elsif (defined $anchor && $anchor ne "" && $dest =~ /\.md$/i && -f $dest) {
				$why = "no heading in $dest makes the anchor #$anchor"
					unless anchors_of($dest)->{$anchor};
			}
			if ($why) { print "$file:$.: broken link $target: $why\n"; $bad = 1 }
		}
	}
}
exit $bad;
')
}

# targets DIR: the README table's targets against the Makefile's rules.
# Prints one line per difference; exit 1 if any.
# shellcheck disable=SC2016 # the backquotes are Markdown, not expansions
readme_targets() {
	sed -n '/^<!-- make-targets -->/,/^<!-- \/make-targets -->/p' "$1/README.md" |
		awk -F'|' '/^\| *`/ { print $2 }' | grep -o '`make [a-z][a-z0-9_-]*`' |
		sed 's/`make \(.*\)`/\1/' | sort -u
}
makefile_targets() {	# rule names, not variables nor special targets
	grep -E '^[A-Za-z0-9_][A-Za-z0-9_ -]*:([^=]|$)' "$1/Makefile" |
		sed 's/:.*//' | tr ' ' '\n' | grep -v '^$' | sort -u
}
targets() {
	local bad=0 t
	[ -n "$(readme_targets "$1")" ] || { echo "README.md has no make-targets table"; return 1; }
	for t in $(comm -23 <(makefile_targets "$1") <(readme_targets "$1")); do
		echo "Makefile target '$t' is missing from README.md's make targets table"; bad=1
	done
	for t in $(comm -13 <(makefile_targets "$1") <(readme_targets "$1")); do
		echo "README.md's make targets table names '$t', which the Makefile does not define"; bad=1
	done
	return $bad
}

case "${1:-}" in
links) links "${2:-$top}"; exit ;;
targets) targets "${2:-$top}"; exit ;;
esac

n=0 failed=0
result() {	# result STATUS NAME [OUTPUT]: one KTAP line, the output as diagnostics
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
	# a passing proof shows the message the break produced
	[ -z "${3:-}" ] || printf '%s\n' "$3" | sed "s/^/# $([ "$1" = 0 ] && echo 'as expected: ')/"
}

echo "TAP version 13"
echo "1..8"

out=$(links "$top" 2>&1); result $? docs_links_resolve "$out"
out=$(targets "$top" 2>&1); result $? make_targets_match_readme_table "$out"

rows=$(sed -n '/^<!-- make-targets -->/,/^<!-- \/make-targets -->/p' "$top/README.md" | grep -c '^| *`')
help=$(make -s --no-print-directory -C "$top" help 2>&1)
lines=$(printf '%s\n' "$help" | grep -c '^  make')
[ "$rows" -gt 0 ] && [ "$lines" = "$rows" ]
result $? make_help_prints_the_table "$( [ "$lines" = "$rows" ] || echo "make help printed $lines target lines for $rows table rows")"

len=$(wc -l <"$top/README.md")
first=$(head -n 40 "$top/README.md")
grep -q 'make demo' <<<"$first" && grep -q 'make check' <<<"$first" && [ "$len" -le 250 ]
result $? readme_short_with_the_two_commands_first "$( [ "$len" -le 250 ] || echo "README.md has $len lines (at most 250)")"

# The checker on a scratch tree: a clean tree passes, and each break fails
# with a message naming it.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/docs/sub"
cat >"$scratch/README.md" <<'EOF'
# Scratch

See [the guide](docs/guide.md), [its options](docs/guide.md#options-for-make-check),
[the second one](docs/guide.md#usage-1), [here](#make-targets), ![a plot](docs/sub/plot.png),
[a site](https://example.org/x.md#nowhere) and `[code](not/a/link.md)`.

    [indented code](not/a/link/either.md)

## Make targets

<!-- make-targets -->
| target | what |
|---|---|
| `make`, `make all` | build |
| `make check` | test |
<!-- /make-targets -->
EOF
cat >"$scratch/docs/guide.md" <<'EOF'
# Guide

Back to [the top](../README.md#scratch).

## Options for `make check`

## Usage

## Usage
EOF
: >"$scratch/docs/sub/plot.png"
printf 'all:\n\t@true\ncheck: all\n\t@true\nX := y\n.PHONY: all check\n' >"$scratch/Makefile"

out=$(links "$scratch" 2>&1) && out2=$(targets "$scratch" 2>&1)
result $? docs_check_passes_a_clean_tree "$out${out2:-}"

echo 'A [missing file](docs/nothing.md).' >>"$scratch/README.md"
out=$(links "$scratch" 2>&1)
[ $? = 1 ] && grep -q '^README.md:[0-9]*: broken link docs/nothing.md: no such file' <<<"$out"
result $? docs_check_fails_on_a_link_to_a_missing_file "$out"
sed -i '$d' "$scratch/README.md"

echo 'A [missing section](guide.md#no-such-section).' >>"$scratch/docs/guide.md"
out=$(links "$scratch" 2>&1)
[ $? = 1 ] && grep -q '^docs/guide.md:[0-9]*: broken link guide.md#no-such-section: no heading' <<<"$out"
result $? docs_check_fails_on_a_missing_anchor "$out"
sed -i '$d' "$scratch/docs/guide.md"

printf 'extra:\n\t@true\n' >>"$scratch/Makefile"
out=$(targets "$scratch" 2>&1)
[ $? = 1 ] && grep -q "Makefile target 'extra' is missing" <<<"$out"
result $? docs_check_fails_on_a_target_missing_from_the_table "$out"

exit $failed
