"""Diehl & Cook (2015) unsupervised digit recognition: train, label, test, plot.

Usage::

    python examples/diehl_cook.py                          # 100 neurons, MNIST subset 4000/1000
    python examples/diehl_cook.py --neurons 400 --assign 1000
    python examples/diehl_cook.py --epochs 3                # three passes over the 4000 images
    python examples/diehl_cook.py --data digits --neurons 20 --train 800 --test 150 --present 100 --rest 25

Prints the frozen-weight test accuracy, the time per training image and where the log and
the plots (confusion matrix, receptive fields) were written. ``--no-stdp`` and
``--no-inhibition`` run the ablations.
"""

from __future__ import annotations

import argparse

from spikey.experiments import diehl_cook
from spikey.experiments.digits_data import load_digits


def main() -> None:
    """Run one configuration given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="auto", choices=("auto", "mnist", "digits"))
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--train", type=int, default=None, help="training images (MNIST: 4000)")
    parser.add_argument("--test", type=int, default=None, help="test images (MNIST: 1000)")
    parser.add_argument("--assign", type=int, default=None, help="training images to label neurons (all)")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training images")
    parser.add_argument("--present", type=float, default=diehl_cook.PRESENT_TIME, help="ms per image")
    parser.add_argument("--rest", type=float, default=diehl_cook.REST_TIME, help="ms of rest")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-stdp", action="store_true")
    parser.add_argument("--no-inhibition", action="store_true")
    parser.add_argument("--out", default="log")
    args = parser.parse_args()

    data = load_digits(args.data, args.train, args.test, args.seed)
    result = diehl_cook.run(
        args.neurons,
        data=data,
        seed=args.seed,
        n_assign=args.assign,
        epochs=args.epochs,
        progress=True,
        present_time=args.present,
        rest_time=args.rest,
        stdp=not args.no_stdp,
        inhibition=not args.no_inhibition,
    )
    r = result["results"]
    paths = diehl_cook.write_run(result, args.out)
    print(
        f"{r['source']}: {r['n_neurons']} neurons, {r['n_train']} train x {r['epochs']} epochs / {r['n_test']} test"
    )
    print(f"test accuracy (frozen): {r['accuracy']:.4f}")
    print(f"running training accuracy: {r['train_accuracy']:.4f}")
    print(f"seconds per training image: {r['seconds_per_train_image']:.4f}")
    for name, path in paths.items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
