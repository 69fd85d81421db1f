# processes: a nice value through renice and /proc, a shell's alarm
# through a trap, stat of files, the process's own /proc entries
# (busybox-static has no nice applet, and timeout re-executes
# /proc/self/exe, which the AArch64 reference's qemu-user wrappers
# cannot)
sh -c 'renice -n 5 -p $$ > /dev/null; ps -o pid,nice | awk -v p=$$ "\$1 == p { print \$2 }"'
sh -c 'renice -n 3 -p $$ > /dev/null; sh -c "ps -o pid,nice | awk -v p=\$\$ \"\\\$1 == p { print \\\$2 }\""'
# a shell's own alarm through a child's sleep and a trap
sh -c 'trap "echo alarm; exit 4" ALRM; ( sleep 0.2; kill -ALRM $$ ) & sleep 3; echo late'
echo "alarm: $?"
# stat: sizes, modes, kinds, links
printf 'hello\n' > f
chmod 640 f
ln f g
ln -s f s
mkdir d
stat -c '%n %s %a %F %h' f g d
stat -c '%n %F %N' s
stat -L -c '%n %s %F' s
# /proc: the process's own entries
test -d /proc/$$ && echo "proc dir"
read -r a b c < /proc/$$/stat && echo "stat pid: $((a == $$))"
grep -c '^Pid:' /proc/self/status
ls /proc/self/fd > /dev/null && echo "fd dir"
sed -n 1p /proc/mounts | wc -w
grep -q '^cpu ' /proc/stat && echo "proc stat"
