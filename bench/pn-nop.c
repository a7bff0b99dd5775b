/* ISC license: see LICENSE. */

/* pn-nop: does nothing.  bench/run measures its peak RSS, linked
   dynamically and statically: the least any program takes here. */

int main(void)
{
  return 0;
}
