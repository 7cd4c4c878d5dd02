#include "OpenSSLShims.h"

#include <string.h>
#include <openssl/err.h>

int glimpse_ERR_drain(char *buffer, size_t capacity) {
    if (capacity == 0) {
        return 0;
    }
    buffer[0] = '\0';
    size_t used = 0;
    int count = 0;
    unsigned long code;
    while ((code = ERR_get_error()) != 0) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        const char *separator = count > 0 ? "; " : "";
        size_t needed = strlen(separator) + strlen(line);
        // Keep draining past a full buffer: stale errors must not leak into the next operation.
        if (used + needed < capacity) {
            strcpy(buffer + used, separator);
            strcat(buffer + used, line);
            used += needed;
        }
        count++;
    }
    return count;
}
