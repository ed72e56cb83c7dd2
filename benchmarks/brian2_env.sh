#!/usr/bin/env bash
# Make the virtual environment with Brian2 that benchmarks/engines.py compares against.
#   bash benchmarks/brian2_env.sh [VENV]      (default: $BRIAN2_VENV or ~/.cache/spikey/brian2-venv)
# Brian2 2.9 does not import with numpy >= 2.4 (it wraps ndarray.ptp), hence the pin.
set -euo pipefail
VENV="${1:-${BRIAN2_VENV:-$HOME/.cache/spikey/brian2-venv}}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "brian2>=2.9" "numpy<2.4" cython setuptools
"$VENV/bin/python" -c "import brian2, numpy; print('brian2', brian2.__version__, 'numpy', numpy.__version__, 'in', '$VENV')"
