/* The SMM handler, as a flat binary linked at 0xA8000, inside the shim. */
    .section .rodata
    .globl scotch_smm_image, scotch_smm_image_end
    .balign 16
scotch_smm_image:
    .incbin SCOTCH_SMM_BIN
scotch_smm_image_end:
