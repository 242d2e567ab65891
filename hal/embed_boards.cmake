# cmake -DOUTPUT=file.cpp -DINPUTS="a.json|b.json" -P embed_boards.cmake  (| because ; would split the shell command)
# Writes a .cpp that holds each board profile as a raw string literal, so the binary needs no data
# files at run time.
set(delimiter "sbjson")
string(REPLACE "|" ";" INPUTS "${INPUTS}")
list(SORT INPUTS)
set(entries "")
foreach(input IN LISTS INPUTS)
  file(READ "${input}" text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${input} contains the raw string delimiter )${delimiter}\"")
  endif()
  get_filename_component(file "${input}" NAME)
  string(APPEND entries "    {\"${file}\", R\"${delimiter}(${text})${delimiter}\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from boards/*.json by hal/embed_boards.cmake. Do not edit.
#include \"hal/embedded_boards.hpp\"

namespace sirenbox::hal {

namespace {
constexpr EmbeddedBoard kBoards[] = {
${entries}};
}  // namespace

std::span<const EmbeddedBoard> embedded_boards() {
    return kBoards;
}

}  // namespace sirenbox::hal
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
