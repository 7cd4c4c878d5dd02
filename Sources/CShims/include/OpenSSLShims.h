// OpenSSL 3 exposes parts of its DTLS API only as function-like macros (SSL_ctrl/BIO_ctrl wrappers),
// which Swift cannot import. Each is wrapped here as a static inline function with the macro's name
// prefixed by `glimpse_`. The one real function (openssl.c) drains the thread's error queue, a loop
// over C string buffers that is simpler in C.
#ifndef GLIMPSE_OPENSSL_SHIMS_H
#define GLIMPSE_OPENSSL_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <openssl/ssl.h>
#include <openssl/bio.h>

static inline long glimpse_DTLSv1_get_timeout(SSL *ssl, struct timeval *remaining) {
    return DTLSv1_get_timeout(ssl, remaining);
}

static inline long glimpse_DTLSv1_handle_timeout(SSL *ssl) {
    return DTLSv1_handle_timeout(ssl);
}

static inline long glimpse_BIO_set_mem_eof_return(BIO *bio, long value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline long glimpse_SSL_set_mtu(SSL *ssl, long mtu) {
    return SSL_set_mtu(ssl, mtu);
}

static inline long glimpse_DTLS_set_link_mtu(SSL *ssl, long mtu) {
    return DTLS_set_link_mtu(ssl, mtu);
}

static inline long glimpse_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long glimpse_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}

/// SSL_OP_NO_QUERY_MTU is built with a cast (SSL_OP_BIT), so Swift does not import the constant.
static inline uint64_t glimpse_SSL_OP_NO_QUERY_MTU(void) {
    return SSL_OP_NO_QUERY_MTU;
}

/// Joins every error queued on this thread's OpenSSL error queue into `buffer` ("; "-separated,
/// NUL-terminated, truncated to `capacity`) and empties the queue. Returns how many errors there were.
int glimpse_ERR_drain(char *buffer, size_t capacity);

#endif
