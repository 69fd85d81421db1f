# echo, printf, quoting, variables, arithmetic, here-documents
echo hello world
echo -n "no newline"; echo
printf '%s=%d %5.2f [%-4s] %x %o %c\n' answer 42 3.14159 ab 255 8 Z
a=1 b="two words"
echo "$a $b" '$a' "${b#two }" "${#b}" "${unset:-default}"
echo $((3 * (4 + 5) % 7)) $((1 << 10)) $((-7 / 2))
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); echo "loop $i"; done
for w in a b c; do printf '%s,' "$w"; done; echo
case foo.txt in *.txt) echo text;; *) echo other;; esac
cat <<END
here $a
  indented
END
cat <<'END'
literal $a
END
set -- x y z
echo "$# $1 $* $@"
shift; echo "$#: $1"
