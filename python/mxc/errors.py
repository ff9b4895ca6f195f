"""The exceptions mxc raises; each message is one line, as mxc prints it."""


class Error(Exception):
    """The base of mxc's errors."""


class CompileError(Error):
    """mxc could not compile: ``FILE:LINE:COL: message`` for an error in MLIR
    text, ``mxc.gemm(...): message`` for an error in a ready-made kernel, or
    the option at fault."""


class MxrtError(Error):
    """libmxrt failed: the message says which call and why; ``status`` is
    its ``mxrt_status`` name (``"MXRT_ERROR_NOT_FOUND"``)."""

    def __init__(self, message, status="MXRT_ERROR_INVALID_ARGUMENT"):
        super().__init__(message)
        self.status = status
