//go:build !purego

#include "textflag.h"

// WINDOW looks up the 32 positions at (SI)(R), leaving a bit per
// candidate position in OUT: the bucket bits ANDed over the four anchor
// bytes (Y12) are not all zero, or the first byte equals eq0 or eq1 and
// en is set (Y13).
#define WINDOW(R, OUT) \
	VMOVDQU   (SI)(R*1), Y8 \
	VPCMPEQB  256(AX), Y8, Y13 \
	VPCMPEQB  288(AX), Y8, Y9 \
	VPOR      Y9, Y13, Y13 \
	VPAND     320(AX), Y13, Y13 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y0, Y10 \
	VPSHUFB   Y9, Y1, Y11 \
	VPAND     Y10, Y11, Y12 \
	VMOVDQU   1(SI)(R*1), Y8 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y2, Y10 \
	VPSHUFB   Y9, Y3, Y11 \
	VPAND     Y10, Y11, Y10 \
	VPAND     Y10, Y12, Y12 \
	VMOVDQU   2(SI)(R*1), Y8 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y4, Y10 \
	VPSHUFB   Y9, Y5, Y11 \
	VPAND     Y10, Y11, Y10 \
	VPAND     Y10, Y12, Y12 \
	VMOVDQU   3(SI)(R*1), Y8 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y14, Y10 \
	VPSHUFB   Y9, Y15, Y11 \
	VPAND     Y10, Y11, Y10 \
	VPAND     Y10, Y12, Y12 \
	VPCMPEQB  Y7, Y12, Y12 \
	VPANDN    Y12, Y13, Y12 \
	VPMOVMSKB Y12, OUT \
	NOTL      OUT

// func teddyScanAVX2(m *teddyMasks, p *byte, n, start int) (off int, cand uint32)
//
// n >= 35. For each window p[i:i+35], i = start, start+32, ... while
// i+35 <= n,
// then for a last window p[n-35:n] holding the positions not yet looked
// at, and for each of the window's 32 positions j, the bucket bits of
// byte k (k = 0, 1, 2, 3) at p[i+j+k] are lo_k[byte&15] & hi_k[byte>>4];
// a position is a candidate when the four AND to non-zero, or when
// p[i+j] equals eq0 or eq1 (offsets 256 and 288 of m) and en (320) is
// set. Returns the
// first window with a candidate and the candidate bits, or n-35 and 0
// when every position up to n-4 was looked at.
TEXT ·teddyScanAVX2(SB), NOSPLIT, $0-44
	MOVQ         m+0(FP), AX
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), DX
	VMOVDQU      0(AX), Y0
	VMOVDQU      32(AX), Y1
	VMOVDQU      64(AX), Y2
	VMOVDQU      96(AX), Y3
	VMOVDQU      128(AX), Y4
	VMOVDQU      160(AX), Y5
	VMOVDQU      192(AX), Y14
	VMOVDQU      224(AX), Y15
	MOVL         $0x0f0f0f0f, BX
	VMOVD        BX, X6
	VPBROADCASTD X6, Y6
	VPXOR        Y7, Y7, Y7
	MOVQ         start+24(FP), CX
	SUBQ         $35, DX

	// Two windows per round while two fit; their 70 bytes are read by
	// loads the processor overlaps, and one branch decides for both.
loop64:
	LEAQ  32(CX), R9
	CMPQ  R9, DX
	JG    loop
	WINDOW(CX, BX)
	WINDOW(R9, R10)
	MOVL  BX, R11
	ORL   R10, R11
	JNZ   found2
	ADDQ  $64, CX
	JMP   loop64

found2:
	TESTL BX, BX
	JNZ   found
	MOVQ  R9, CX
	MOVL  R10, BX
	JMP   found

loop:
	CMPQ  CX, DX
	JG    last
	WINDOW(CX, BX)
	TESTL BX, BX
	JNZ   found
	ADDQ  $32, CX
	JMP   loop

last:
	// Positions CX..n-4 are left: look at the window ending at n, without
	// the positions before CX.
	MOVQ  CX, R8
	SUBQ  DX, R8
	CMPQ  R8, $32
	JGE   none
	MOVQ  DX, CX
	WINDOW(CX, BX)
	SHRXL R8, BX, BX
	SHLXL R8, BX, BX
	TESTL BX, BX
	JNZ   found

none:
	MOVQ DX, off+32(FP)
	MOVL $0, cand+40(FP)
	VZEROUPPER
	RET

found:
	MOVQ CX, off+32(FP)
	MOVL BX, cand+40(FP)
	VZEROUPPER
	RET

// WIDE looks up the 64 positions at (SI)(R) in the wide tables (Z0-Z7)
// and compares their bytes with eq0 and eq1 (Z8, Z9, under the mask K7),
// leaving a bit per candidate position in BX.
#define WIDE(R) \
	VMOVDQU64  (SI)(R*1), Z10 \
	VPCMPEQB   Z8, Z10, K7, K2 \
	VPCMPEQB   Z9, Z10, K7, K3 \
	KORQ       K3, K2, K2 \
	VPERMI2B   Z1, Z0, Z10 \
	VMOVDQU64  1(SI)(R*1), Z11 \
	VPERMI2B   Z3, Z2, Z11 \
	VMOVDQU64  2(SI)(R*1), Z12 \
	VPERMI2B   Z5, Z4, Z12 \
	VMOVDQU64  3(SI)(R*1), Z13 \
	VPERMI2B   Z7, Z6, Z13 \
	VPTERNLOGD $0x80, Z12, Z11, Z10 \
	VPTESTMB   Z13, Z10, K1 \
	KORQ       K2, K1, K1 \
	KMOVQ      K1, BX

// func teddyBatchVBMI(m *teddyMasks, p *byte, n, start int, out *teddyHit, room int) (count, next int)
//
// n >= 67, room >= 1. For each window p[i:i+67], i = start, start+64,
// ... while i+67 <= n, then for a last window p[n-67:n] holding the
// positions not yet looked at, and for each of its 64 positions j, the
// bucket bits of byte k at p[i+j+k] are wide_k[byte&0x7f] (offset
// 352 + 128k of m, VPERMI2B over two registers); a position is a
// candidate when the four AND to non-zero, or when p[i+j] equals eq0 or
// eq1 and enMask (offset 864) has its bit. Each window with a candidate
// is written to out (offset, bits); returns how many, and n, or where
// to go on when out filled up.
TEXT ·teddyBatchVBMI(SB), NOSPLIT, $0-64
	MOVQ         m+0(FP), AX
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), DX
	MOVQ         start+24(FP), CX
	MOVQ         out+32(FP), DI
	MOVQ         room+40(FP), R8
	XORQ         R9, R9
	VMOVDQU64    352(AX), Z0
	VMOVDQU64    416(AX), Z1
	VMOVDQU64    480(AX), Z2
	VMOVDQU64    544(AX), Z3
	VMOVDQU64    608(AX), Z4
	VMOVDQU64    672(AX), Z5
	VMOVDQU64    736(AX), Z6
	VMOVDQU64    800(AX), Z7
	VPBROADCASTB 256(AX), Z8
	VPBROADCASTB 288(AX), Z9
	KMOVQ        864(AX), K7
	MOVQ         DX, R10
	SUBQ         $67, R10

bloop:
	CMPQ  CX, R10
	JG    btail
	WIDE(CX)
	TESTQ BX, BX
	JZ    bnext
	MOVQ  CX, (DI)
	MOVQ  BX, 8(DI)
	ADDQ  $16, DI
	INCQ  R9
	CMPQ  R9, R8
	JEQ   bfull

bnext:
	ADDQ $64, CX
	JMP  bloop

bfull:
	ADDQ $64, CX
	MOVQ R9, count+48(FP)
	MOVQ CX, next+56(FP)
	VZEROUPPER
	RET

btail:
	// Positions CX..n-4 are left: look at the window ending at n, without
	// the positions before CX.
	MOVQ  CX, R11
	SUBQ  R10, R11
	CMPQ  R11, $64
	JGE   bdone
	WIDE(R10)
	SHRXQ R11, BX, BX
	SHLXQ R11, BX, BX
	TESTQ BX, BX
	JZ    bdone
	MOVQ  R10, (DI)
	MOVQ  BX, 8(DI)
	INCQ  R9

bdone:
	MOVQ R9, count+48(FP)
	MOVQ DX, next+56(FP)
	VZEROUPPER
	RET

// HALF looks up the 32 positions at (SI)(R) as WINDOW does, leaving the
// bits of the positions the nibble tables admit in TBL and those of the
// compared bytes in EQ.
#define HALF(R, TBL, EQ) \
	VMOVDQU   (SI)(R*1), Y8 \
	VPCMPEQB  256(AX), Y8, Y13 \
	VPCMPEQB  288(AX), Y8, Y9 \
	VPOR      Y9, Y13, Y13 \
	VPAND     320(AX), Y13, Y13 \
	VPMOVMSKB Y13, EQ \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y0, Y10 \
	VPSHUFB   Y9, Y1, Y11 \
	VPAND     Y10, Y11, Y12 \
	VMOVDQU   1(SI)(R*1), Y8 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y2, Y10 \
	VPSHUFB   Y9, Y3, Y11 \
	VPAND     Y10, Y11, Y10 \
	VPAND     Y10, Y12, Y12 \
	VMOVDQU   2(SI)(R*1), Y8 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y4, Y10 \
	VPSHUFB   Y9, Y5, Y11 \
	VPAND     Y10, Y11, Y10 \
	VPAND     Y10, Y12, Y12 \
	VMOVDQU   3(SI)(R*1), Y8 \
	VPSRLW    $4, Y8, Y9 \
	VPAND     Y6, Y8, Y8 \
	VPAND     Y6, Y9, Y9 \
	VPSHUFB   Y8, Y14, Y10 \
	VPSHUFB   Y9, Y15, Y11 \
	VPAND     Y10, Y11, Y10 \
	VPAND     Y10, Y12, Y12 \
	VPCMPEQB  Y7, Y12, Y12 \
	VPMOVMSKB Y12, TBL \
	NOTL      TBL

// BOTH looks up the 64 positions at (SI)(CX): the bits of those the
// nibble tables admit in BX, of the compared bytes in R10 (R11-R13
// clobbered).
#define BOTH \
	HALF(CX, BX, R10) \
	LEAQ 32(CX), R11 \
	HALF(R11, R12, R13) \
	SHLQ $32, R12 \
	ORQ  R12, BX \
	SHLQ $32, R13 \
	ORQ  R13, R10

// REFINE is one step of the wide tables' check of the positions in BX
// (window at CX): it takes BX's lowest bit and, when the wide tables
// (offset 352 + 128k of m, by a byte's low 7 bits) admit that position
// too, sets it in R10. Leaves ZF set when the position is dropped.
#define REFINE \
	BSFQ    BX, R11 \
	LEAQ    -1(BX), R12 \
	ANDQ    R12, BX \
	ADDQ    CX, R11 \
	MOVBLZX (SI)(R11*1), R12 \
	ANDL    $0x7f, R12 \
	MOVBLZX 352(AX)(R12*1), R13 \
	MOVBLZX 1(SI)(R11*1), R12 \
	ANDL    $0x7f, R12 \
	ANDB    480(AX)(R12*1), R13 \
	MOVBLZX 2(SI)(R11*1), R12 \
	ANDL    $0x7f, R12 \
	ANDB    608(AX)(R12*1), R13 \
	MOVBLZX 3(SI)(R11*1), R12 \
	ANDL    $0x7f, R12 \
	ANDB    736(AX)(R12*1), R13

// func teddyBatchAVX2(m *teddyMasks, p *byte, n, start int, out *teddyHit, room int) (count, next int)
//
// teddyBatchVBMI's contract (n >= 67, room >= 1; windows of 64
// positions, the last one ending at n, each window with a candidate
// written to out) with teddyBatchNibbleGeneric's candidates: the nibble
// tables look at 32 positions at a time, and each position they admit
// is looked up in the wide tables, byte by byte; a compared byte is a
// candidate as in teddyScanAVX2.
TEXT ·teddyBatchAVX2(SB), NOSPLIT, $0-64
	MOVQ         m+0(FP), AX
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), DX
	MOVQ         start+24(FP), CX
	MOVQ         out+32(FP), DI
	MOVQ         room+40(FP), R8
	XORQ         R9, R9
	VMOVDQU      0(AX), Y0
	VMOVDQU      32(AX), Y1
	VMOVDQU      64(AX), Y2
	VMOVDQU      96(AX), Y3
	VMOVDQU      128(AX), Y4
	VMOVDQU      160(AX), Y5
	VMOVDQU      192(AX), Y14
	VMOVDQU      224(AX), Y15
	MOVL         $0x0f0f0f0f, BX
	VMOVD        BX, X6
	VPBROADCASTD X6, Y6
	VPXOR        Y7, Y7, Y7
	SUBQ         $67, DX

aloop:
	CMPQ CX, DX
	JG   atail
	BOTH
	MOVQ BX, R11
	ORQ  R10, R11
	JZ   anext

arefine:
	TESTQ BX, BX
	JZ    arefined
	REFINE
	JZ    arefine
	SUBQ  CX, R11
	BTSQ  R11, R10
	JMP   arefine

arefined:
	TESTQ R10, R10
	JZ    anext
	MOVQ  CX, (DI)
	MOVQ  R10, 8(DI)
	ADDQ  $16, DI
	INCQ  R9
	CMPQ  R9, R8
	JEQ   afull

anext:
	ADDQ $64, CX
	JMP  aloop

afull:
	ADDQ $64, CX
	MOVQ R9, count+48(FP)
	MOVQ CX, next+56(FP)
	VZEROUPPER
	RET

atail:
	// Positions CX..n-4 are left: look at the window ending at n, without
	// the positions before CX (skip in R8: out has room for one more).
	MOVQ  CX, R8
	SUBQ  DX, R8
	CMPQ  R8, $64
	JGE   adone
	MOVQ  DX, CX
	BOTH
	SHRXQ R8, BX, BX
	SHLXQ R8, BX, BX
	SHRXQ R8, R10, R10
	SHLXQ R8, R10, R10

trefine:
	TESTQ BX, BX
	JZ    trefined
	REFINE
	JZ    trefine
	SUBQ  CX, R11
	BTSQ  R11, R10
	JMP   trefine

trefined:
	TESTQ R10, R10
	JZ    adone
	MOVQ  CX, (DI)
	MOVQ  R10, 8(DI)
	INCQ  R9

adone:
	ADDQ $67, DX
	MOVQ R9, count+48(FP)
	MOVQ DX, next+56(FP)
	VZEROUPPER
	RET
