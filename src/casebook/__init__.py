"""乡村振兴党建案例库: records → validation → cross-references → pages → exports."""

__version__ = "0.1.0"
