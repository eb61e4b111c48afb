"""W1 with a noisy neighbour: one CPU-bound process beside the training, as on a 2-vCPU notebook.

The same W1 workload (w1_fashion_mlp.py: tutorial 01's MLP, batch 32) runs in rounds that
alternate between a quiet machine and one with a busy loop (`while True: pass`) in another
process for the whole round. The table shows each runner quiet and loaded and the slowdown
(loaded ÷ quiet) in the last column; issue 9 asks that lamina's slowdown be no larger than
Keras-jax's. PyTorch's default thread pool is the usual culprit: with as many threads as
cores, a tiny op waits for the thread the neighbour has descheduled. Everything else as in
w1_fashion_mlp.py (flags included); harness.py describes runners, rounds and the table.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w1_noisy_neighbour.py --rounds 2
"""
from __future__ import annotations

from harness import argument_parser, run_benchmark
from w1_fashion_mlp import WORKLOAD, hidden_sizes

__all__ = ["WORKLOAD"]  # the workers import this script and train its WORKLOAD


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], epochs=4, batch_size=32)
    parser.add_argument("--hidden", type=hidden_sizes, default=[100],
                        help="hidden Dense sizes, comma-separated (tutorial 01: 100)")
    parser.add_argument("--neighbours", type=int, default=1,
                        help="busy-loop processes in the loaded rounds")
    args = parser.parse_args()
    WORKLOAD.name = (f"W1 Fashion-MNIST MLP 784-{'-'.join(map(str, args.hidden))}-10, "
                     f"quiet vs {args.neighbours} busy neighbour(s)")
    run_benchmark(WORKLOAD, __file__, args, config={"hidden": args.hidden},
                  conditions=(("quiet", 0), (f"{args.neighbours} busy", args.neighbours)))


if __name__ == "__main__":
    main()
