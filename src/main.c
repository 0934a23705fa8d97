/* placeholder; replaced by the command line */
#include "util/util.h"
int main(void) { return 0; }
