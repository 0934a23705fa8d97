# Turns one file into a C source that defines
#   const unsigned char SYMBOL[]; const unsigned long SYMBOL_len;
# Usage: cmake -DIN=file -DOUT=file.c -DSYMBOL=name -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x[0-9a-f][0-9a-f],){32}" "\\0\n" body "${body}")
file(WRITE ${OUT}.tmp "/* Generated from ${IN}; do not edit. */\n"
  "const unsigned char ${SYMBOL}[] = {\n${body}0x00};\n"
  "const unsigned long ${SYMBOL}_len = ${len};\n")
file(RENAME ${OUT}.tmp ${OUT})
