# all.sh TOP DIR: run each DIR/t-*.sh with busybox sh in a fresh
# directory TOP/NAME, its output between markers, its exit code after
# (test/linux/diff.py compares Aegis's run with Linux's).
top=$1
dir=$2
for s in "$dir"/t-*.sh; do
	n=${s##*/}
	n=${n%.sh}
	# run as ../NAME.sh from its directory: $0 reads the same on both
	mkdir -p "$top/$n" && cp "$s" "$top/$n.sh" && cd "$top/$n" || exit 1
	echo "@@BEGIN $n"
	sh "../$n.sh" 2>&1
	echo "@@END $n $?"
done
echo "@@DONE"
