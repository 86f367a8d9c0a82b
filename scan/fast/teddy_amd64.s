//go:build !purego

#include "textflag.h"

// func teddyScanAVX2(masks *[6][32]byte, p *byte, n int) (off int, cand uint32)
//
// For each window p[i:i+34], i = 0, 32, ... while i+34 <= n, and for each
// of its 32 positions j, the bucket bits of byte k (k = 0, 1, 2) at
// p[i+j+k] are lo_k[byte&15] & hi_k[byte>>4]; a position is a candidate
// when the three AND to non-zero. Returns the first window with a
// candidate and the candidate bits, or the first window not looked at
// and 0.
TEXT ·teddyScanAVX2(SB), NOSPLIT, $0-36
	MOVQ masks+0(FP), AX
	MOVQ p+8(FP), SI
	MOVQ n+16(FP), DX
	VMOVDQU 0(AX), Y0
	VMOVDQU 32(AX), Y1
	VMOVDQU 64(AX), Y2
	VMOVDQU 96(AX), Y3
	VMOVDQU 128(AX), Y4
	VMOVDQU 160(AX), Y5
	MOVL $0x0f0f0f0f, BX
	VMOVD BX, X6
	VPBROADCASTD X6, Y6
	VPXOR Y7, Y7, Y7
	XORQ CX, CX
	SUBQ $34, DX
	JL   none

loop:
	CMPQ CX, DX
	JG   none

	VMOVDQU (SI)(CX*1), Y8
	VPSRLW  $4, Y8, Y9
	VPAND   Y6, Y8, Y8
	VPAND   Y6, Y9, Y9
	VPSHUFB Y8, Y0, Y10
	VPSHUFB Y9, Y1, Y11
	VPAND   Y10, Y11, Y12

	VMOVDQU 1(SI)(CX*1), Y8
	VPSRLW  $4, Y8, Y9
	VPAND   Y6, Y8, Y8
	VPAND   Y6, Y9, Y9
	VPSHUFB Y8, Y2, Y10
	VPSHUFB Y9, Y3, Y11
	VPAND   Y10, Y11, Y10
	VPAND   Y10, Y12, Y12

	VMOVDQU 2(SI)(CX*1), Y8
	VPSRLW  $4, Y8, Y9
	VPAND   Y6, Y8, Y8
	VPAND   Y6, Y9, Y9
	VPSHUFB Y8, Y4, Y10
	VPSHUFB Y9, Y5, Y11
	VPAND   Y10, Y11, Y10
	VPAND   Y10, Y12, Y12

	VPCMPEQB  Y7, Y12, Y13
	VPMOVMSKB Y13, BX
	NOTL      BX
	TESTL     BX, BX
	JNZ       found
	ADDQ      $32, CX
	JMP       loop

found:
	MOVQ CX, off+24(FP)
	MOVL BX, cand+32(FP)
	VZEROUPPER
	RET

none:
	MOVQ CX, off+24(FP)
	MOVL $0, cand+32(FP)
	VZEROUPPER
	RET
