# pipes, redirections, subshells, command substitution, exit codes
seq 1 10 | grep 1 | wc -l
echo out > f; echo more >> f; cat f
echo err 1>&2 2>/dev/null
(echo in subshell; exit 7); echo "subshell: $?"
x=$(echo inner | tr a-z A-Z); echo "got $x"
y=`echo backquote`; echo "$y"
echo a b c | { read p q r; echo "$r $q $p"; }
false | true; echo "pipeline: $?"
true | false; echo "pipeline: $?"
! false; echo "negated: $?"
cat < f | sort -r
exec 3> g; echo to three >&3; exec 3>&-; cat g
{ echo one; echo two; } > h; wc -l < h
echo "$(echo "$(echo nested)")"
seq 3 | while read n; do echo "line $n"; done
yes | head -3
sh -c 'exit 42'; echo "sh -c: $?"
sh -c 'echo "$0 $1"' zero one
ls nothing 2>/dev/null; echo "ls: $?"
test 3 -gt 2 && echo yes || echo no
[ abc = abd ] || echo differ
