/* The start every bare-metal test image shares. */
#ifndef WORKLOADS_IMAGE_H
#define WORKLOADS_IMAGE_H

/**
 * Bring up the console, the CPU tables and the platform, and print the
 * banner "scotch-<name> platform=<platform>" that the host side reads.
 */
void image_start(const char *name);

#endif
