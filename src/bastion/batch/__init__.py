"""Batch runs over many regions on Dask distributed (the facade other domains and the platform may import)."""

from bastion.batch.enums import STEPS
from bastion.batch.service import BatchReport
from bastion.batch.service import ClusterOptions
from bastion.batch.service import RegionFile
from bastion.batch.service import RegionResult
from bastion.batch.service import parse_region_files
from bastion.batch.service import parse_steps
from bastion.batch.service import run_batch

__all__ = ["STEPS", "BatchReport", "ClusterOptions", "RegionFile", "RegionResult", "parse_region_files", "parse_steps",
           "run_batch"]
