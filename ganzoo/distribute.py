"""`ganzoo.training.distribution` under the name the docs use
(`ganzoo.distribute.strategy`); a face that only re-exports."""

from ganzoo.training.distribution import STRATEGIES, check_batch, describe, is_chief, shard_by_data, strategy

__all__ = ["STRATEGIES", "check_batch", "describe", "is_chief", "shard_by_data", "strategy"]
