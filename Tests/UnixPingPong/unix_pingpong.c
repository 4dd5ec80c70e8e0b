// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

#include "UnixPingPong.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct pingpong_server {
    int listener;
    pthread_t thread;
    uint8_t *reply;
    size_t reply_length;
};

static int read_exactly(int fd, uint8_t *buffer, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t count = read(fd, buffer + done, length - done);
        if (count == 0) {
            return -EPIPE;
        }
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        done += (size_t)count;
    }
    return 0;
}

static int write_all(int fd, const uint8_t *buffer, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t count = send(fd, buffer + done, length - done, MSG_NOSIGNAL);
        if (count < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        done += (size_t)count;
    }
    return 0;
}

static int make_address(const char *path, struct sockaddr_un *address) {
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof address->sun_path) {
        return -ENAMETOOLONG;
    }
    strcpy(address->sun_path, path);
    return 0;
}

static void *serve(void *argument) {
    pingpong_server *server = argument;
    uint8_t body[65536];
    for (;;) {
        int connection = accept(server->listener, NULL, NULL);
        if (connection < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return NULL;  // the listener was shut down
        }
        uint8_t header[4];
        if (read_exactly(connection, header, 4) == 0) {
            uint32_t length = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
            if (length <= sizeof body && read_exactly(connection, body, length) == 0) {
                write_all(connection, server->reply, server->reply_length);
            }
        }
        close(connection);
    }
}

int pingpong_server_start(const char *path, const uint8_t *reply, size_t reply_length, pingpong_server **out) {
    struct sockaddr_un address;
    int status = make_address(path, &address);
    if (status != 0) {
        return status;
    }
    pingpong_server *server = calloc(1, sizeof *server);
    if (server == NULL) {
        return -ENOMEM;
    }
    server->reply = malloc(reply_length);
    if (server->reply == NULL) {
        free(server);
        return -ENOMEM;
    }
    memcpy(server->reply, reply, reply_length);
    server->reply_length = reply_length;
    unlink(path);
    server->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (server->listener < 0 || bind(server->listener, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(server->listener, 128) != 0) {
        status = -errno;
        if (server->listener >= 0) {
            close(server->listener);
        }
        free(server->reply);
        free(server);
        return status;
    }
    status = pthread_create(&server->thread, NULL, serve, server);
    if (status != 0) {
        close(server->listener);
        free(server->reply);
        free(server);
        return -status;
    }
    *out = server;
    return 0;
}

void pingpong_server_stop(pingpong_server *server) {
    shutdown(server->listener, SHUT_RDWR);
    pthread_join(server->thread, NULL);
    close(server->listener);
    free(server->reply);
    free(server);
}

long pingpong_round_trip(const char *path, const uint8_t *request, size_t request_length, uint8_t *buffer,
                         size_t capacity) {
    struct sockaddr_un address;
    int status = make_address(path, &address);
    if (status != 0) {
        return status;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        status = -errno;
        close(fd);
        return status;
    }
    status = write_all(fd, request, request_length);
    if (status == 0 && capacity < 4) {
        status = -EMSGSIZE;
    }
    if (status == 0) {
        status = read_exactly(fd, buffer, 4);
    }
    long total = 0;
    if (status == 0) {
        uint32_t length = (uint32_t)buffer[0] << 24 | (uint32_t)buffer[1] << 16 | (uint32_t)buffer[2] << 8 | buffer[3];
        if ((size_t)length + 4 > capacity) {
            status = -EMSGSIZE;
        } else {
            status = read_exactly(fd, buffer + 4, length);
            total = (long)length + 4;
        }
    }
    close(fd);
    return status != 0 ? status : total;
}
