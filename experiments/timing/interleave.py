#!/usr/bin/env python3
"""Wall time of commands as a multiple of `xz -9e`'s, in interleaved rounds.

    interleave.py ROUNDS FILE 'label|command with {} for FILE' ...

Each round runs `xz -9e -c FILE`, then every command once (the order rotated by one
each round), then xz again; a command's ratio in a round is its time over the first xz
run's. Prints, per command, the median, least and most of its per-round ratios and
each round's. `nnzip bench --repeat N` runs in rounds too, but keeps only each
codec's fastest time; this shows how far the rounds spread (30% and more on these
VMs), which the fastest time hides.
"""
import statistics
import subprocess
import sys
import time


def run(cmd: str, path: str) -> float:
    start = time.time()
    subprocess.run(cmd.replace("{}", path), shell=True, stdout=subprocess.DEVNULL, check=True)
    return time.time() - start


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, path = int(sys.argv[1]), sys.argv[2]
    cmds = [c.split("|", 1) for c in sys.argv[3:]]
    ratios = {label: [] for label, _ in cmds}
    xz = []
    for r in range(rounds):
        base = run("xz -9e -c {}", path)
        xz.append(base)
        for label, cmd in cmds[r % len(cmds):] + cmds[: r % len(cmds)]:
            ratios[label].append(run(cmd, path) / base)
        xz.append(run("xz -9e -c {}", path))
    print(f"xz -9e: median {statistics.median(xz):.3f} s, least {min(xz):.3f}, most {max(xz):.3f}")
    for label, v in ratios.items():
        rounds_txt = " ".join(f"{a:.2f}" for a in v)
        print(f"{label:12} median {statistics.median(v):.2f}x  least {min(v):.2f}  most {max(v):.2f}  rounds: {rounds_txt}")


if __name__ == "__main__":
    main()
