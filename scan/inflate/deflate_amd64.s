//go:build !purego

#include "textflag.h"

// fastLoopBMI2 is fastLoop (deflate.go) instruction for instruction in
// its loads and stores: see there for the design and the margins. The
// entry formats are tables.go's.
//
// Registers: SI in, DI out (from the member's start), R8 tables (lit at
// 0, dist at 4*litTableSize), R9 bitbuf, R10 bitsleft (only its low 8
// bits mean the count, as in fastLoop), R11 pos, R12 op, R13 the last
// pos and R14 the last op the loop starts an iteration at, AX the
// entry looked up and not yet consumed, R15 a match's length; BX, CX,
// DX, X0 and X1 are scratch.

// REFILL: bitbuf |= in[pos:pos+8] << (bitsleft&63); pos += 7 -
// (bitsleft>>3)&7; bitsleft |= 56. Clobbers BX, CX.
#define REFILL \
	MOVQ  (SI)(R11*1), BX; \
	SHLXQ R10, BX, BX; \
	ORQ   BX, R9; \
	MOVL  R10, CX; \
	SHRL  $3, CX; \
	ANDL  $7, CX; \
	ADDQ  $7, R11; \
	SUBQ  CX, R11; \
	ORQ   $56, R10

// LOOKUP: AX = tables.lit[bitbuf&litMask]. Clobbers BX.
#define LOOKUP \
	MOVL R9, BX; \
	ANDL $0x3ff, BX; \
	MOVL (R8)(BX*4), AX

// LITERAL consumes the literal entry AX and writes its two bytes (the
// first literal, then the second or garbage) at op; op moves on by one
// or two. Clobbers BX.
#define LITERAL \
	SHRXQ AX, R9, R9; \
	SUBQ  AX, R10; \
	RORXL $8, AX, BX; \
	ROLW  $8, BX; \
	MOVW  BX, (DI)(R12*1); \
	BTL   $28, AX; \
	ADCQ  $1, R12

// EXTRA: dst = the entry AX's base plus its extra bits, read from
// bitbuf (the bits below AX's consumed count, above its codeword's
// length). Clobbers BX, CX.
#define EXTRA(dst) \
	BZHIQ AX, R9, BX; \
	MOVL  AX, CX; \
	SHRL  $8, CX; \
	ANDL  $15, CX; \
	SHRXQ CX, BX, BX; \
	MOVL  AX, dst; \
	SHRL  $16, dst; \
	ADDQ  BX, dst

// SUBTABLE: AX = table[(AX>>16 + (bitbuf>>bits)&(1<<codeLen(AX)-1)) &
// mask] for the link AX. Clobbers BX, CX, DX.
#define SUBTABLE(bits, mask, table) \
	MOVQ  R9, BX; \
	SHRQ  $bits, BX; \
	MOVL  AX, CX; \
	SHRL  $8, CX; \
	ANDL  $15, CX; \
	BZHIQ CX, BX, BX; \
	MOVL  AX, DX; \
	SHRL  $16, DX; \
	ADDL  DX, BX; \
	ANDL  $mask, BX; \
	MOVL  table(R8)(BX*4), AX

// func fastLoopBMI2(in, out []byte, tables *codeTables, bitbuf uint64, bitsleft uint, pos, op int) (rbitbuf uint64, rbitsleft uint, rpos, rop int, status int)
TEXT ·fastLoopBMI2(SB), NOSPLIT, $0-128
	MOVQ in_base+0(FP), SI
	MOVQ in_len+8(FP), R13
	SUBQ $22, R13                 // fastInMargin
	MOVQ out_base+24(FP), DI
	MOVQ out_len+32(FP), R14
	SUBQ $302, R14                // fastOutMargin
	MOVQ tables+48(FP), R8
	MOVQ bitbuf+56(FP), R9
	MOVQ bitsleft+64(FP), R10
	MOVQ pos+72(FP), R11
	MOVQ op+80(FP), R12
	REFILL
	LOOKUP
	PCALIGN $32

loop:
	// Here bitsleft >= 56 and AX is the entry of bitbuf. Up to three
	// literal entries per refill.
	TESTL AX, AX
	JPL   notLiteral
	LITERAL
	LOOKUP
	TESTL AX, AX
	JPL   notLiteral
	LITERAL
	LOOKUP
	TESTL AX, AX
	JPL   notLiteral
	LITERAL
	LOOKUP
	REFILL
	CMPQ  R11, R13
	JGT   stop
	CMPQ  R12, R14
	JLE   loop
	JMP   stop

notLiteral:
	TESTL $0x7000, AX             // exceptional
	JNZ   notLiteralExceptional

length:
	// A length: its codeword and extra bits consumed together.
	EXTRA(R15)
	SHRXQ AX, R9, R9
	SUBQ  AX, R10
	CMPB  R10B, $38               // 28+litBits
	JAE   distance
	REFILL

distance:
	MOVBLZX R9B, BX
	MOVL    8192(R8)(BX*4), AX
	TESTL   $0x7000, AX
	JNZ     distExceptional

distOK:
	EXTRA(DX)
	SHRXQ AX, R9, R9
	SUBQ  AX, R10
	CMPQ  DX, R12
	JGT   corrupt
	LOOKUP
	REFILL

	// The match, in whole words: CX dst, BX src, R15 the match's end.
	LEAQ (DI)(R12*1), CX
	MOVQ CX, BX
	SUBQ DX, BX
	ADDQ R15, R12
	LEAQ (DI)(R12*1), R15
	CMPQ DX, $16
	JB   copyNear

copy16:
	// 32 bytes a step, in two 16-byte moves, each reading only bytes
	// before its own destination.
	MOVOU (BX), X0
	MOVOU X0, (CX)
	MOVOU 16(BX), X1
	MOVOU X1, 16(CX)
	ADDQ  $32, CX
	CMPQ  CX, R15
	JAE   copied

copy16Loop:
	ADDQ  $32, BX
	MOVOU (BX), X0
	MOVOU X0, (CX)
	MOVOU 16(BX), X1
	MOVOU X1, 16(CX)
	ADDQ  $32, CX
	CMPQ  CX, R15
	JB    copy16Loop

copied:
	CMPQ R11, R13
	JGT  stop
	CMPQ R12, R14
	JLE  loop

stop:
	MOVQ $0, status+120(FP)
	JMP  ret

copyNear:
	CMPQ DX, $8
	JAE  copy8
	CMPQ DX, $1
	JEQ  copy1

copyShort:
	// A word every d bytes: each word's first d bytes are already
	// right, and the next overwrites the rest.
	MOVQ (BX), X0
	MOVQ X0, (CX)
	ADDQ DX, BX
	ADDQ DX, CX
	CMPQ CX, R15
	JB   copyShort
	JMP  copied

copy8:
	MOVQ (BX), DX
	MOVQ DX, (CX)
	MOVQ 8(BX), DX
	MOVQ DX, 8(CX)
	MOVQ 16(BX), DX
	MOVQ DX, 16(CX)
	MOVQ 24(BX), DX
	MOVQ DX, 24(CX)
	ADDQ $32, BX
	ADDQ $32, CX
	CMPQ CX, R15
	JAE  copied

copy8Loop:
	MOVQ (BX), DX
	MOVQ DX, (CX)
	ADDQ $8, BX
	ADDQ $8, CX
	CMPQ CX, R15
	JB   copy8Loop
	JMP  copied

copy1:
	MOVBQZX (BX), DX
	MOVQ    $0x0101010101010101, BX
	IMULQ   BX, DX
	MOVQ    DX, (CX)
	MOVQ    DX, 8(CX)
	MOVQ    DX, 16(CX)
	MOVQ    DX, 24(CX)
	ADDQ    $32, CX
	CMPQ    CX, R15
	JAE     copied

copy1Loop:
	MOVQ DX, (CX)
	ADDQ $8, CX
	CMPQ CX, R15
	JB   copy1Loop
	JMP  copied

notLiteralExceptional:
	TESTL $0x2000, AX             // kindLink
	JZ    exceptional
	SUBTABLE(10, 0x7ff, 0)
	TESTL AX, AX
	JPL   notSubLiteral
	SHRXQ AX, R9, R9
	SUBQ  AX, R10
	MOVL  AX, BX
	SHRL  $16, BX
	MOVB  BX, (DI)(R12*1)
	INCQ  R12
	LOOKUP
	REFILL
	CMPQ  R11, R13
	JGT   stop
	CMPQ  R12, R14
	JLE   loop
	JMP   stop

notSubLiteral:
	TESTL $0x7000, AX
	JZ    length

exceptional:
	// An invalid codeword is not consumed; the end of block is.
	TESTL $0x4000, AX             // kindInvalid
	JNZ   corrupt
	SHRXQ AX, R9, R9
	SUBQ  AX, R10
	MOVQ  $1, status+120(FP)
	JMP   ret

distExceptional:
	TESTL $0x2000, AX             // kindLink
	JZ    distNoLink
	SUBTABLE(8, 0x3ff, 8192)

distNoLink:
	TESTL $0x4000, AX             // kindInvalid
	JZ    distOK

corrupt:
	MOVQ $2, status+120(FP)

ret:
	MOVQ    R9, rbitbuf+88(FP)
	MOVBQZX R10B, R10
	MOVQ    R10, rbitsleft+96(FP)
	MOVQ    R11, rpos+104(FP)
	MOVQ    R12, rop+112(FP)
	RET
