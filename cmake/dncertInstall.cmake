# What `cmake --install` puts under the prefix (README.md, "Installing and linking"):
#   bin/dncert, bin/dncert-verify                        the commands
#   share/man/man1/dncert.1                              the man page, made from the help texts
#   lib/libdncert.{a,so}, lib/libdncert_verifier.{a,so}  libdncert and the checker library
#   include/dncert/*.h                                   every public header, with version.h
#   lib/pkgconfig/dncert.pc, dncert-verify.pc            pkg-config
#   lib/cmake/dncert/                                    find_package(dncert): dncert::dncert,
#                                                        dncert::verifier
# (lib, include and share/man are GNUInstallDirs' CMAKE_INSTALL_LIBDIR, CMAKE_INSTALL_INCLUDEDIR
# and CMAKE_INSTALL_MANDIR.)
# Nothing installed names the prefix: the pkg-config files and the CMake package find the
# tree relative to themselves, so `cmake --install build --prefix DIR` may pick any DIR.

if(BUILD_SHARED_LIBS)
  set(DNCERT_LIBRARY_KIND "shared")
  # no ABI promise before 1.0: every minor release may change it
  if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(DNCERT_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  else()
    set(DNCERT_SOVERSION ${PROJECT_VERSION_MAJOR})
  endif()
  set_target_properties(dncert_lib dncert_verifier PROPERTIES
                        VERSION ${PROJECT_VERSION} SOVERSION ${DNCERT_SOVERSION})
  # the installed command and libdncert find the libraries beside them, wherever the tree is
  if(NOT DEFINED CMAKE_INSTALL_RPATH)
    file(RELATIVE_PATH bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
    set_target_properties(dncert PROPERTIES INSTALL_RPATH "$ORIGIN/${bin_to_lib}")
    set_target_properties(dncert_lib PROPERTIES INSTALL_RPATH "$ORIGIN")
  endif()
else()
  set(DNCERT_LIBRARY_KIND "static")
endif()

set_target_properties(dncert_lib PROPERTIES EXPORT_NAME dncert)
set_target_properties(dncert_verifier PROPERTIES EXPORT_NAME verifier)
install(TARGETS dncert_lib dncert_verifier EXPORT dncertTargets)
install(TARGETS dncert dncert-verify)
install(FILES ${PROJECT_BINARY_DIR}/dncert.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(DIRECTORY include/dncert DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/dncert/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dncert)

# ---- CMake package: the exported targets, and the dependencies found as the build found them ----
include(CMakePackageConfigHelpers)
set(DNCERT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dncert)
install(EXPORT dncertTargets NAMESPACE dncert:: DESTINATION ${DNCERT_CMAKE_DIR})
configure_package_config_file(cmake/dncertConfig.cmake.in ${PROJECT_BINARY_DIR}/dncertConfig.cmake
                              INSTALL_DESTINATION ${DNCERT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dncertConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dncertConfig.cmake ${PROJECT_BINARY_DIR}/dncertConfigVersion.cmake
              cmake/dncertDependencies.cmake DESTINATION ${DNCERT_CMAKE_DIR})

# ---- pkg-config ----
# prefix is found from the .pc file's own place (pkg-config's ${pcfiledir}) unless the
# library or include directory was given as an absolute path
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DNCERT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(DNCERT_PC_DIRS "libdir=${CMAKE_INSTALL_FULL_LIBDIR}\nincludedir=${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH pc_to_prefix "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" pc_to_prefix "${pc_to_prefix}")
  set(DNCERT_PC_PREFIX "\${pcfiledir}/${pc_to_prefix}")
  set(DNCERT_PC_DIRS "libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}\nincludedir=\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()

# FLINT and Arb have no .pc file on Debian: their flags, written out (-L and -I only for
# directories the compiler does not search anyway)
set(DNCERT_PC_FLINT_LIBS)
foreach(lib ${ARB_LIBRARY} ${FLINT_LIBRARY})
  get_filename_component(dir ${lib} DIRECTORY)
  get_filename_component(name ${lib} NAME_WE)
  string(REGEX REPLACE "^lib" "" name ${name})
  if(NOT dir IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
    list(APPEND DNCERT_PC_FLINT_LIBS -L${dir})
  endif()
  list(APPEND DNCERT_PC_FLINT_LIBS -l${name})
endforeach()
set(DNCERT_PC_FLINT_CFLAGS)
foreach(dir ${ARB_INCLUDE_DIR} ${FLINT_INCLUDE_DIR})
  if(NOT dir IN_LIST CMAKE_C_IMPLICIT_INCLUDE_DIRECTORIES)
    list(APPEND DNCERT_PC_FLINT_CFLAGS -I${dir})
  endif()
endforeach()

# OpenMP's runtime by library name (gomp and pthread with GCC), not -fopenmp, which on a
# compile-and-link command line would also act on the consumer's compilation
list(TRANSFORM OpenMP_C_LIB_NAMES PREPEND -l OUTPUT_VARIABLE DNCERT_PC_OPENMP_LIBS)

# dncert_write_pc(NAME LIB DESCRIPTION [REQUIRES ...] [IMPL_REQUIRES ...] [CFLAGS ...] [LIBS ...]
#                 [IMPL_LIBS ...]) installs NAME.pc for the library -lLIB. REQUIRES and LIBS
# are what the library's headers expose (arb_t, json_t: a consumer calls those libraries
# itself); IMPL_REQUIRES and IMPL_LIBS what only the library's code needs: the .private
# fields of a shared library, but the public ones of a static library, so that a plain
# `pkg-config --cflags --libs` links it.
function(dncert_write_pc name lib description)
  cmake_parse_arguments(PARSE_ARGV 3 pc "" "" "REQUIRES;IMPL_REQUIRES;CFLAGS;LIBS;IMPL_LIBS")
  if(BUILD_SHARED_LIBS)
    set(private "Requires.private: ${pc_IMPL_REQUIRES}\nLibs.private: ${pc_IMPL_LIBS}\n")
  else()
    list(APPEND pc_REQUIRES ${pc_IMPL_REQUIRES})
    list(APPEND pc_LIBS ${pc_IMPL_LIBS})
    set(private "")
  endif()
  string(REPLACE ";" " " private "${private}")
  list(JOIN pc_REQUIRES " " requires)
  list(JOIN pc_CFLAGS " " cflags)
  list(JOIN pc_LIBS " " libs)
  string(CONCAT content "\
prefix=${DNCERT_PC_PREFIX}
exec_prefix=\${prefix}
${DNCERT_PC_DIRS}

Name: ${name}
Description: ${description}
Version: ${PROJECT_VERSION}
Requires: ${requires}
Cflags: -I\${includedir} ${cflags}
Libs: -L\${libdir} -l${lib} ${libs}
${private}")
  string(REGEX REPLACE " +\n" "\n" content "${content}")
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc CONTENT "${content}" @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()

dncert_write_pc(dncert-verify dncert_verifier
  "dncert's independent certificate checker (dncert/verify.h)"
  REQUIRES jansson IMPL_REQUIRES mpfr gmp IMPL_LIBS ${DNCERT_PC_FLINT_LIBS} -lm)
dncert_write_pc(dncert dncert
  "Training and certified optima for the deep unconstrained features model (libdncert)"
  REQUIRES dncert-verify jansson mpfr gmp IMPL_REQUIRES openblas lapacke libcrypto
  CFLAGS ${DNCERT_PC_FLINT_CFLAGS} LIBS ${DNCERT_PC_FLINT_LIBS} IMPL_LIBS ${DNCERT_PC_OPENMP_LIBS} -lm)
