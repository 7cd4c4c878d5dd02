#include "OpenSSLShims.h"
