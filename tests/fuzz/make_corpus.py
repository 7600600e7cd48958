#!/usr/bin/python3
# Writes the seed corpus in tests/fuzz/corpus/<target>/ (checked in; run again only to
# remake the seeds): small valid and broken inputs of each reader. Needs Debian's
# python3-numpy and, for the JPEGs, a C++ compiler with libstb-dev's stb_image_write.h.
# Inputs that crashed a target once are kept beside them as crash-*; this script leaves
# those alone.
import gzip
import io
import os
import struct
import subprocess
import tempfile
import zipfile
import zlib

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def npy(a, **kw):
    b = io.BytesIO()
    np.save(b, a, **kw)
    return b.getvalue()


def gz(data):
    return gzip.compress(data, mtime=0)


# --- idx: first byte = mode (bit 0: the harness gzips the rest, bit 1: axes from the magic)
def idx(dims, elements):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + elements


put("idx", "plain_images", b"\x03" + idx([2, 2, 3], bytes(range(12))))
put("idx", "plain_labels", b"\x03" + idx([5], bytes([0, 1, 2, 9, 3])))
put("idx", "gzip_file_labels", b"\x02" + gz(idx([4], b"wxyz")))
put("idx", "gzip_two_members", b"\x02" + gz(idx([2, 2], b"ab")) + gz(b"cd"))
put("idx", "gzip_truncated", b"\x02" + gz(idx([3, 2, 2], bytes(12)))[:20])
put("idx", "plain_short_data", b"\x03" + idx([5], b"abc"))
put("idx", "plain_extra_data", b"\x03" + idx([2], b"abcd"))
put("idx", "plain_wrong_magic", b"\x03" + bytes([0, 0, 9, 1, 0, 0, 0, 1, 7]))
put("idx", "plain_huge_claim", b"\x03" + idx([0xFFFF, 0xFFFF], b"x"))
put("idx", "not_gzip", b"\x00" + idx([1], b"z"))

# --- npy_header: what NumPy writes, and broken variants
put("npy_header", "f8_2x3.npy", npy(np.arange(6, dtype="<f8").reshape(2, 3)))
put("npy_header", "f4_scalar.npy", npy(np.float32(1.5)))
put("npy_header", "i8_empty.npy", npy(np.zeros((0, 4), dtype="<i8")))
put("npy_header", "i4_fortran.npy", npy(np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3))))
put("npy_header", "b1.npy", npy(np.array([True, False, True])))
put("npy_header", "u1.npy", npy(np.arange(5, dtype="u1")))
put("npy_header", "f8_bigendian.npy", npy(np.arange(3, dtype=">f8")))
b = io.BytesIO()
np.lib.format.write_array(b, np.arange(2, dtype="<f8"), version=(2, 0))
put("npy_header", "v2.npy", b.getvalue())
put("npy_header", "f2_unsupported.npy", npy(np.arange(2, dtype="<f2")))
put("npy_header", "truncated.npy", npy(np.arange(6, dtype="<f8"))[:90])
put("npy_header", "bad_dict.npy", b"\x93NUMPY\x01\x00\x36\x00{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }\n")
put("npy_header", "huge_shape.npy", b"\x93NUMPY\x01\x00\x46\x00{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999), }\n")

# --- npz: NumPy's archives, stored and deflated, and broken ones
def npz(arrays, compressed):
    b = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(b, **arrays)
    return b.getvalue()


put("npz", "stored.npz", npz({"W": np.arange(4, dtype="<f4").reshape(2, 2), "b": np.zeros(2)}, False))
put("npz", "deflated.npz", npz({"l0/W": np.ones((3, 2), dtype="<f8")}, True))
put("npz", "empty.npz", npz({}, False))
whole = npz({"x": np.arange(8, dtype="<i8")}, False)
put("npz", "truncated.npz", whole[: len(whole) // 2])
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("notes.txt", "not an array")
    z.writestr("dir/", "")
put("npz", "not_npy_member.npz", b.getvalue())
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("x.npy", npy(np.zeros(2000, dtype="u1")))
put("npz", "deflated_zeros.npz", b.getvalue())
put("npz", "an_npy.npz", npy(np.arange(2)))


# --- image: tiny PNGs written here, JPEGs by stb_image_write
def png(width, height, color_type, depth, raw_rows, interlace=0):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw_rows)) + chunk(b"IEND", b"")


def rows(width, height, channels):
    return b"".join(b"\x00" + bytes((x * 40 + y * 7 + c * 90) % 256 for x in range(width) for c in range(channels))
                    for y in range(height))


put("image", "rgb_4x3.png", png(4, 3, 2, 8, rows(4, 3, 3)))
put("image", "grey_5x2.png", png(5, 2, 0, 8, rows(5, 2, 1)))
put("image", "rgba_2x2.png", png(2, 2, 6, 8, rows(2, 2, 4)))
put("image", "la_3x1.png", png(3, 1, 4, 8, rows(3, 1, 2)))
put("image", "rgb16_2x2.png", png(2, 2, 2, 16, rows(2, 2, 6)))
put("image", "truncated.png", png(4, 3, 2, 8, rows(4, 3, 3))[:40])
put("image", "huge_claim.png", png(60000, 60000, 2, 8, b"\x00" * 100))
tool = r'''
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
int main(int, char** argv) {
  unsigned char px[8 * 6 * 3];
  for (int i = 0; i < 8 * 6 * 3; ++i) px[i] = (unsigned char)(i * 37);
  return !(stbi_write_jpg(argv[1], 8, 6, 3, px, 90) && stbi_write_jpg(argv[2], 8, 6, 1, px, 50));
}
'''
with tempfile.TemporaryDirectory() as t:
    with open(os.path.join(t, "w.cpp"), "w") as f:
        f.write(tool)
    subprocess.check_call(["c++", "-O1", "-o", os.path.join(t, "w"), os.path.join(t, "w.cpp")])
    subprocess.check_call([os.path.join(t, "w"), os.path.join(t, "a.jpg"), os.path.join(t, "b.jpg")])
    for name in ("a.jpg", "b.jpg"):
        with open(os.path.join(t, name), "rb") as f:
            data = f.read()
        put("image", {"a.jpg": "rgb_8x6.jpg", "b.jpg": "grey_8x6.jpg"}[name], data)
        if name == "a.jpg":
            put("image", "truncated.jpg", data[: len(data) * 2 // 3])
put("image", "not_an_image.gif", b"GIF89a\x01\x00\x01\x00")

# --- compare_output: printouts of a few steps, and odd numbers
for step in ("01", "09", "24", "28", "45", "51"):
    with open(os.path.join(root, "steps", "step" + step, "expected.txt"), "rb") as f:
        put("compare_output", "step%s_expected.txt" % step, f.read()[:1500])
put("compare_output", "odd_numbers.txt", "# step99.py: exit_code=2147483648\n-.5 +3. 1e5 1e 1.e-3 nan inf -inf xnan nan_ infinity 0x1f\ntime: 12.5 loss 3\n# ---- stderr\n1 2 3\n")
put("compare_output", "empty_lines.txt", "\n\n\r\n \t\n")

# --- dot_label: names split at \x01, the last byte the DotOptions bits
put("dot_label", "plain", b"x\x01y\x01Square\x01z\x0f")
put("dot_label", "quotes", b'a"b\x01"\x01F"un"c\x01""\x01')
put("dot_label", "backslashes", b"a\\\x01\\\x01\\\"\x01end\\\x03")
put("dot_label", "newlines", b"two\nlines\x01\n\x01f\r\nx\x01cr\rlf\x0b")
put("dot_label", "brackets", b"<x>\x01{y}\x01<<F>>\x01[z]; a -> b\x05")
put("dot_label", "nul_and_controls", b"a\x00b\x01\x7f\x1b[0m\x01\x08\x01\t\x00")

# --- tar: first byte = mode (bit 0: the harness gzips the rest); ustar archives of CIFAR's shape
def tar(files):
    b = io.BytesIO()
    import tarfile
    with tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return b.getvalue()
cifar = tar([("cifar-10-batches-bin/test_batch.bin", bytes(range(256)) * 12 + b"\x07")])
put("tar", "plain_cifar", b"\x01" + cifar)
put("tar", "gzip_cifar", b"\x00" + gz(cifar))
put("tar", "plain_two_members", b"\x01" + tar([("a", b"12345"), ("dir/b", b"x" * 700)]))
put("tar", "plain_truncated", b"\x01" + cifar[:700])
