# files and directories: mkdir, touch, cp, mv, ln, rm, rmdir, ls, test
mkdir -p a/b/c
touch a/f1 a/b/f2
echo data > a/b/c/f3
cp a/b/c/f3 a/copy
mv a/copy a/moved
ln -s b/c/f3 a/link
ln a/moved a/hard
ls -1 a
ls -1R a | sed 's/^$/-/'
cat a/link
readlink a/link
[ -L a/link ] && echo "a/link is a link"
[ -d a/b ] && echo "a/b is a directory"
[ -f a/f1 ] && [ ! -s a/f1 ] && echo "a/f1 is empty"
[ -e a/nothing ] || echo "a/nothing is not there"
stat -c '%n %s %F %h' a/moved a/hard a/b a/link
rm a/hard
stat -c '%n %h' a/moved
rmdir a/b 2>&1 || echo "rmdir refused: $?"
rm -r a/b
ls -1 a
cd a && pwd | sed 's|.*/||' && cd ..
rm -rf a
ls -A
cat a 2>&1; echo "cat: $?"
mkdir x; mkdir x 2>&1; echo "mkdir: $?"
