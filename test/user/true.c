/* true.c - does nothing and exits with 0 (spawn+exit benchmark). */
int main(void)
{
	return 0;
}
