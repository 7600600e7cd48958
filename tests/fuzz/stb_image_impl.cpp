// Debian's stb_image, compiled into fuzz_image with the sanitizers and coverage of the rest
// (the prebuilt libstb has neither), so the fuzzer sees inside the decoder too.
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
