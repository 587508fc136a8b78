#include "rtclab/version.h"

const char *rtclab_version(void)
{
	return RTCLAB_VERSION;
}
