"""The application: ``tfp report`` as library calls, the top layer of tfp.

It reads a config (:mod:`tfp.app.config`), the programme records and the firm panel
(:mod:`tfp.app.inputs`), estimates the factor shares (:mod:`tfp.app.estimation`), computes
the outcome and programme tables (:mod:`tfp.app.outcomes`) and hands them to
:mod:`tfp.report`, which formats and writes them (:func:`run`). Nothing below imports it.
"""

from __future__ import annotations

from tfp.app.config import PanelColumns, PipelineConfig
from tfp.app.run import ProgramReport, run

__all__ = ["PanelColumns", "PipelineConfig", "ProgramReport", "run"]
