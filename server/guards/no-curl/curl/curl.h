/*
 * A layer guard (CMakeLists.txt): this folder is first on the include path
 * of every layer that must not use this library, so including it there
 * fails the build. See shared/design.md "Layers inside the daemon".
 */
#error "this layer must not include <curl/curl.h>: it belongs to another layer"
