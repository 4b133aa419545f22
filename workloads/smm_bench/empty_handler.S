/* An empty SMM handler: RSM at once. What an SMI round trip costs. */
    .text
    .code16
    .globl empty_handler_start, empty_handler_end
empty_handler_start:
    rsm
empty_handler_end:
    .code32
