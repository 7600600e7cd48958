#!/bin/sh
# step53_second_run: runs step53 twice in this folder, one epoch each. The first run starts
# from random weights and writes my_mlp.npz; the second loads it and must start from a lower
# loss. Then NumPy (Debian's /usr/bin/python3 with python3-numpy, when installed) must read
# my_mlp.npz with the keys l0/W l0/b l1/W l1/b as float32 of the MLP's shapes.
# Usage: second_run.sh path/to/step53     (exit 0: passed, 77: skipped, else failed)
set -u
step=$1
rm -f my_mlp.npz
"$step" --epochs 1 >first.txt 2>first_err.txt
status=$?
[ $status -eq 77 ] && { cat first_err.txt; exit 77; }
[ $status -eq 0 ] || { echo "first run: exit status $status"; cat first_err.txt; exit 1; }
[ -s my_mlp.npz ] || { echo "the first run wrote no my_mlp.npz"; exit 1; }
"$step" --epochs 1 >second.txt 2>second_err.txt || { echo "second run failed"; cat second_err.txt; exit 1; }
grep -q "loaded the weights in my_mlp.npz" second_err.txt || { echo "the second run did not load my_mlp.npz"; exit 1; }
first=$(sed -n 's/^epoch: 1, loss: \([0-9.]*\)$/\1/p' first.txt)
second=$(sed -n 's/^epoch: 1, loss: \([0-9.]*\)$/\1/p' second.txt)
[ -n "$first" ] && [ -n "$second" ] || { echo "unexpected printouts:"; cat first.txt second.txt; exit 1; }
echo "first run: loss $first; second run, from the saved weights: loss $second"
awk -v a="$first" -v b="$second" 'BEGIN { exit !(b < a) }' || { echo "the second run did not go on from the first"; exit 1; }

if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  echo "/usr/bin/python3 with NumPy is not available (apt-get install python3-numpy): numpy.load not checked"
  exit 0
fi
/usr/bin/python3 - <<'PY' || exit 1
import numpy as np
npz = np.load('my_mlp.npz')
expected = {'l0/W': (784, 1000), 'l0/b': (1000,), 'l1/W': (1000, 10), 'l1/b': (10,)}
assert sorted(npz.files) == sorted(expected), npz.files
for key, shape in expected.items():
    a = npz[key]
    assert a.dtype == np.float32 and a.shape == shape, (key, a.dtype, a.shape)
    assert np.isfinite(a).all(), key
print('numpy.load: my_mlp.npz holds', ' '.join(sorted(npz.files)), 'as float32')
PY
