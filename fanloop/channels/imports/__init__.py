"""Export-file metric import: profiles, reading, the engine, the write path and the job.

``writes.record_cumulative_totals`` / ``record_cumulative_batch`` turn cumulative totals
into daily increments for any source (imports, connector syncs, the sandbox).
"""
