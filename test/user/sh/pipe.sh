printf '%s\n' c b a | sort
seq 3 | while read n; do echo "line $n"; done
echo x | { read v; echo "v=$v"; }
