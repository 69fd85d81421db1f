# find, xargs, basename, dirname, realpath
mkdir -p d/e/f
touch d/a.txt d/e/b.txt d/e/f/c.log d/e/f/d.txt
find d | sort
find d -name '*.txt' | sort
find d -type d | sort
find d -type f -name 'c*'
find d -path '*e/f*' | sort
find d -name '*.txt' | sort | xargs echo
find d -name '*.log' -exec echo found {} \;
echo d/e/f/c.log | xargs basename
basename /a/b/c.txt .txt
dirname /a/b/c.txt
dirname file
cd d/e && realpath f/../b.txt | sed 's|.*/d/|d/|' && cd ../..
printf '1\n2\n3\n4\n' | xargs -n 2 echo
