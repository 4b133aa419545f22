"""The Xen side of Scotch on the host: Scotch's hypervisor built from
Debian's source, the struct offsets its SMM handler needs, the guests'
programs and image, and readers of what Xen writes (xentrace files, the
kernel inside a bzImage)."""
