"""Processes under torchrun: joining the group, agreeing on a flag, gathering state, and the cores
each process may use. With one process every function is a no-op."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist

from skcausal.zeroshot._checkpoint import torch_device


def init_distributed(device):
    """Join the process group torchrun set up (gloo on CPU, nccl on CUDA).

    Returns (rank, world size, device, whether this call created the group and must destroy it).
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, torch_device(device), False
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size(), torch_device(device), False
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = torch_device(device)
    if dev.type == "cuda":
        dev = torch.device("cuda", local_rank)
        torch.cuda.set_device(dev)
    dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return dist.get_rank(), dist.get_world_size(), dev, True


def any_rank(flag: bool, world: int, device) -> bool:
    if world == 1:
        return flag
    t = torch.tensor([float(flag)], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def gather(obj, world):
    if world == 1:
        return [obj]
    out = [None] * world
    dist.all_gather_object(out, obj)
    return out


def local_cores() -> int:
    """Cores this process may use, shared among the ranks torchrun started on this machine."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
