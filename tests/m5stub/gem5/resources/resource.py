"""gem5 v24.0.0.1 BinaryResource (stub): a local binary, which must
exist, as gem5's resource classes check."""

import os


class BinaryResource:
    def __init__(self, local_path: str, architecture=None,
                 id: str | None = None,
                 resource_version: str | None = None,
                 description: str | None = None,
                 source: str | None = None) -> None:
        if not os.path.exists(local_path):
            raise Exception(
                f"Local path specified for resource, '{local_path}', does "
                "not exist."
            )
        self._local_path = local_path

    def get_local_path(self) -> str:
        return self._local_path
