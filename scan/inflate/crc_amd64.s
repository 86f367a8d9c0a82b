//go:build !purego

#include "textflag.h"

// The fold constants for 2,048 bits ahead, as hash/crc32's r2r1 are for
// 512 (the Intel paper "Fast CRC Computation for Generic Polynomials
// Using PCLMULQDQ"): the low quadword of a 128-bit lane is multiplied
// by x^(2048+32) mod P, the high by x^(2048-32) mod P, both bit-reflected
// and shifted left by one (P the CRC-32 polynomial 0x104C11DB7).
DATA k2048<>+0(SB)/8, $0x11542778a
DATA k2048<>+8(SB)/8, $0x1322d1430
GLOBL k2048<>(SB), RODATA, $16

// FOLD(acc, off): acc = lo(acc)*k_lo ^ hi(acc)*k_hi ^ p[off:off+64], in
// each 128-bit lane. Z0 holds the constants; clobbers Z5, Z6.
#define FOLD(acc, off) \
	VMOVDQU64  off(SI), Z6; \
	VPCLMULQDQ $0x00, Z0, acc, Z5; \
	VPCLMULQDQ $0x11, Z0, acc, acc; \
	VPTERNLOGD $0x96, Z6, Z5, acc

// func crcFold256(out *[256]byte, p []byte)
TEXT ·crcFold256(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	VMOVDQU64 (SI), Z1
	VMOVDQU64 64(SI), Z2
	VMOVDQU64 128(SI), Z3
	VMOVDQU64 192(SI), Z4
	// The register's starting value ^0 into the first four bytes.
	MOVL      $0xffffffff, AX
	VMOVD     AX, X5
	VPXORQ    Z5, Z1, Z1
	VBROADCASTI32X4 k2048<>(SB), Z0
	ADDQ      $256, SI
	SUBQ      $256, CX
	JZ        done

loop:
	FOLD(Z1, 0)
	FOLD(Z2, 64)
	FOLD(Z3, 128)
	FOLD(Z4, 192)
	ADDQ $256, SI
	SUBQ $256, CX
	JNZ  loop

done:
	VMOVDQU64 Z1, (DI)
	VMOVDQU64 Z2, 64(DI)
	VMOVDQU64 Z3, 128(DI)
	VMOVDQU64 Z4, 192(DI)
	VZEROUPPER
	RET
