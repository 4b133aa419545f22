"""The Xen side of Scotch on the host: what Xen's machines boot and what
the host reads back from Xen.

- :mod:`.hypervisor`: Scotch's Xen, Debian's source package with our
  patch, built;
- :mod:`.offsets`: the struct offsets Scotch's SMM handler needs, from
  ``xen-syms``;
- :mod:`.boot_images`: Xen, the kernel and the dom0 and domU initramfs,
  from Debian packages (:mod:`.debian`) packed as :mod:`.cpio` archives;
- :mod:`.guest_workloads`, :mod:`.guest_image`: what the domUs run;
- :mod:`.vmlinux`: the kernel ELF inside a bzImage (for gem5);
- :mod:`.dom0_report`: dom0's report of Xen's accounting;
- :mod:`.xentrace`: xentrace files, the ground truth.
"""
