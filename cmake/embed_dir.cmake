# Turns every file below ROOT into one C source with a table
#   const struct lk_web_asset SYMBOL[]; (path, bytes, length), ending in {NULL}.
# Usage: cmake -DROOT=dir -DOUT=file.c -DSYMBOL=name -P embed_dir.cmake
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/*)
list(SORT files)
set(out "/* Generated from ${ROOT}; do not edit. */\n#include <stddef.h>\n")
set(table "")
set(i 0)
foreach(f ${files})
  file(READ ${ROOT}/${f} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(REGEX REPLACE "(0x[0-9a-f][0-9a-f],){32}" "\\0\n" body "${body}")
  string(APPEND out "static const unsigned char ${SYMBOL}_${i}[] = {\n${body}0x00};\n")
  string(APPEND table "  {\"/${f}\", ${SYMBOL}_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND out "struct lk_web_asset { const char *path; const unsigned char *data; size_t len; };\n"
  "const struct lk_web_asset ${SYMBOL}[] = {\n${table}  {NULL, NULL, 0}};\n")
file(WRITE ${OUT}.tmp "${out}")
file(RENAME ${OUT}.tmp ${OUT})
