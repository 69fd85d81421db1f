# signals: trap, kill between processes, exit statuses of signalled
# processes, ignored signals, SIGCHLD while waiting, SIGPIPE
trap 'echo got USR1' USR1
kill -USR1 $$
echo after USR1
trap 'echo got USR2; trap - USR2' USR2
kill -USR2 $$; echo "still here"
sh -c 'trap "echo child got TERM; exit 3" TERM; kill -TERM $$; echo not here'
echo "trapped child: $?"
sh -c 'kill -TERM $$; echo not here'
echo "terminated child: $?"
sh -c 'kill -KILL $$'
echo "killed child: $?"
sh -c 'trap "" INT; kill -INT $$; echo ignored INT'
echo "status: $?"
sleep 10 &
pid=$!
kill $pid
wait $pid
echo "wait: $?"
( trap 'echo sub got HUP; exit 5' HUP; kill -HUP $(sh -c 'echo $PPID'); sleep 1; echo late )
echo "subshell: $?"
# a stopped process: it runs no more until SIGCONT, and a signal sent
# while it is stopped is handled once it goes on
sh -c 'trap "exit 7" TERM; while :; do echo x >> /tmp/diff-stop.$$; sleep 0.05; done' &
pid=$!
sleep 0.3
kill -STOP $pid
sleep 0.3
a=$(wc -l < /tmp/diff-stop.$pid)
sleep 0.5
b=$(wc -l < /tmp/diff-stop.$pid)
[ "$a" = "$b" ] && echo "stopped: no progress"
kill -CONT $pid
sleep 1
c=$(wc -l < /tmp/diff-stop.$pid)
[ "$c" -gt "$b" ] && echo "continued: progress"
kill -STOP $pid
kill -TERM $pid
kill -CONT $pid
wait $pid
echo "TERM while stopped: $?"
rm -f /tmp/diff-stop.$pid
trap 'echo exit trap' EXIT
yes | head -2
echo "pipe: $?"
kill -0 $$ && echo "kill -0: alive"
kill -s USR1 $$
kill -l 15
kill -l TERM
trap - USR1
# a signal in the middle of a loop in the shell itself (no system call
# in it): the trap's handler runs between two of its instructions and
# returns, and the loop goes on with its registers as they were (j
# stays twice i); 20 rounds, the signal from a child after 0.1 s
n=0; bad=0; spun=0
trap 'stop=1' USR1
while [ $n -lt 20 ]; do
	stop=; i=0; j=0
	( sleep 0.1; kill -USR1 $$ ) &
	while [ -z "$stop" ]; do i=$((i+1)); j=$((j+2)); done
	wait
	[ $j = $((2 * i)) ] || bad=$((bad+1))
	[ $i -gt 0 ] && spun=$((spun+1))
	n=$((n+1))
done
trap - USR1
echo "a busy loop signalled 20 times: $bad broken, spun: $([ $spun -gt 10 ] && echo yes)"
