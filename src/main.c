#include <stdio.h>

int main(void)
{
    printf("vigil %s\n", VG_VERSION);
    return 0;
}
