# Turns every file below ROOT into one C source with a table
#   const struct lk_web_asset SYMBOL[]; (path, bytes, length), ending in {NULL}.
# Optionally also files from elsewhere (the console libraries that npm installs):
# EXTRA_FILES is a "|"-separated list of files, each served as
# /EXTRA_DIR/<its file name>.
# A .js file may take in other files below ROOT: a line "// @include PATH"
# (PATH relative to ROOT) is replaced by that file, less its leading /* */
# comment. The widget is served as one script this way (docs/widget.md).
# An .html file does the same with a line "<!-- @include PATH -->", less the
# included file's leading <!-- --> comment: the console pages share their
# <head> so. A file below a folder named "parts" is such a piece of a page,
# included, never served on its own.
# Usage: cmake -DROOT=dir -DOUT=file.c -DSYMBOL=name [-DEXTRA_FILES=a|b -DEXTRA_DIR=d] -P embed_dir.cmake
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/*)
list(SORT files)
set(sources "")
foreach(f ${files})
  if(NOT f MATCHES "(^|/)parts/")
    list(APPEND sources "${ROOT}/${f}=/${f}")
  endif()
endforeach()
if(DEFINED EXTRA_FILES AND NOT EXTRA_FILES STREQUAL "")
  string(REPLACE "|" ";" extra "${EXTRA_FILES}")
  foreach(f ${extra})
    if(NOT EXISTS ${f})
      message(FATAL_ERROR "${f} is missing: run scripts/deps.sh build (it runs npm ci)")
    endif()
    get_filename_component(base ${f} NAME)
    list(APPEND sources "${f}=/${EXTRA_DIR}/${base}")
  endforeach()
endif()
set(out "/* Generated from ${ROOT}; do not edit. */\n#include <stddef.h>\n")
set(table "")
set(i 0)
foreach(entry ${sources})
  string(FIND "${entry}" "=" eq REVERSE)
  string(SUBSTRING "${entry}" 0 ${eq} src)
  math(EXPR eq1 "${eq} + 1")
  string(SUBSTRING "${entry}" ${eq1} -1 dest)
  # How a line that takes in another file reads in this kind of file, and
  # the leading comment that is left out of what it takes in.
  if(src MATCHES "\\.js$")
    set(inc_open "// @include ")
    set(inc_close "")
    set(comment_open "/*")
    set(comment_close "*/\n")
  elseif(src MATCHES "\\.html$")
    set(inc_open "<!-- @include ")
    set(inc_close " -->")
    set(comment_open "<!--")
    set(comment_close "-->\n")
  else()
    set(inc_open "")
  endif()
  set(text "")
  if(NOT inc_open STREQUAL "")
    # A newline in front, so that the first line can be an include too.
    file(READ ${src} text)
    set(text "\n${text}")
  endif()
  if(NOT inc_open STREQUAL "" AND text MATCHES "\n *${inc_open}")
    # A file made of several sources (the widget and web/shared/socket.js, a
    # console page and its shared <head>): each line "<open> PATH <close>"
    # becomes the file ROOT/PATH without its leading comment, so that the
    # browser gets one file.
    string(REGEX MATCHALL "\n *${inc_open}[^\n]*" lines "${text}")
    foreach(line ${lines})
      string(REGEX REPLACE "^\n *${inc_open}([^ \n]+)${inc_close} *$" "\\1" inc "${line}")
      if(inc STREQUAL line OR NOT EXISTS ${ROOT}/${inc} OR inc MATCHES "\\.\\.")
        message(FATAL_ERROR "${src}: cannot include ${line}")
      endif()
      file(READ ${ROOT}/${inc} body)
      string(FIND "${body}" "${comment_close}" head)
      string(FIND "${body}" "${comment_open}" open)
      if(open EQUAL 0 AND head GREATER 0)
        string(LENGTH "${comment_close}" close_len)
        math(EXPR head "${head} + ${close_len}")
        string(SUBSTRING "${body}" ${head} -1 body)
      endif()
      string(REGEX REPLACE "\n$" "" body "${body}")
      string(REPLACE "${line}" "\n${body}" text "${text}")
    endforeach()
    string(SUBSTRING "${text}" 1 -1 text)
    file(WRITE ${OUT}.part "${text}")
    file(READ ${OUT}.part hex HEX)
    file(REMOVE ${OUT}.part)
  else()
    file(READ ${src} hex HEX)
  endif()
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(REGEX REPLACE "(0x[0-9a-f][0-9a-f],){32}" "\\0\n" body "${body}")
  string(APPEND out "static const unsigned char ${SYMBOL}_${i}[] = {\n${body}0x00};\n")
  string(APPEND table "  {\"${dest}\", ${SYMBOL}_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND out "struct lk_web_asset { const char *path; const unsigned char *data; size_t len; };\n"
  "const struct lk_web_asset ${SYMBOL}[] = {\n${table}  {NULL, NULL, 0}};\n")
file(WRITE ${OUT}.tmp "${out}")
file(RENAME ${OUT}.tmp ${OUT})
