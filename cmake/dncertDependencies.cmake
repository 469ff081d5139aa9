# The libraries dncert builds on, as the imported targets its libraries link:
#   PkgConfig::MPFR, PkgConfig::GMP, PkgConfig::JANSSON, PkgConfig::OPENBLAS, PkgConfig::LAPACKE,
#   OpenMP::OpenMP_C, and Arb::Arb for FLINT 2.9 + Arb 2.23, for which Debian
#   ships neither a .pc file nor a CMake config.
# One definition for dncert's own build (CMakeLists.txt) and for its installed CMake package
# (dncertConfig.cmake), so that a consumer links what libdncert was built with. A target that
# already exists (the consumer found the same library itself) is kept.
#
# dncert_find_dependencies(MISSING [REQUIRED]) sets MISSING to the list of what was not
# found (empty when everything was); with REQUIRED (dncert's build) a missing library is a
# fatal error, and what is found is reported; without (the package), nothing is printed.
function(dncert_find_dependencies missing)
  set(req ${ARGN})
  set(quiet QUIET)
  if(req)
    set(quiet)
  endif()
  set(lost)
  find_package(OpenMP ${req} ${quiet} COMPONENTS C)
  if(NOT TARGET OpenMP::OpenMP_C)
    list(APPEND lost "OpenMP (C)")
  endif()
  find_package(PkgConfig ${req} ${quiet})
  foreach(module mpfr gmp jansson openblas lapacke)
    string(TOUPPER ${module} prefix)
    if(PKG_CONFIG_FOUND AND NOT TARGET PkgConfig::${prefix})
      pkg_check_modules(${prefix} ${req} ${quiet} IMPORTED_TARGET ${module})
    endif()
    if(NOT TARGET PkgConfig::${prefix})
      list(APPEND lost ${module})
    endif()
  endforeach()
  if(NOT TARGET Arb::Arb)
    find_path(FLINT_INCLUDE_DIR NAMES flint/flint.h ${req})
    find_path(ARB_INCLUDE_DIR   NAMES arb.h         ${req})
    find_library(FLINT_LIBRARY  NAMES flint         ${req})
    find_library(ARB_LIBRARY    NAMES flint-arb arb ${req})
    find_library(M_LIBRARY      NAMES m             ${req})
    if(FLINT_INCLUDE_DIR AND ARB_INCLUDE_DIR AND FLINT_LIBRARY AND ARB_LIBRARY AND M_LIBRARY
       AND TARGET PkgConfig::MPFR AND TARGET PkgConfig::GMP)
      add_library(Arb::Arb INTERFACE IMPORTED)
      target_include_directories(Arb::Arb INTERFACE ${ARB_INCLUDE_DIR} ${FLINT_INCLUDE_DIR})
      target_link_libraries(Arb::Arb INTERFACE ${ARB_LIBRARY} ${FLINT_LIBRARY}
                            PkgConfig::MPFR PkgConfig::GMP ${M_LIBRARY})
    else()
      list(APPEND lost "FLINT/Arb")
    endif()
  endif()
  set(${missing} "${lost}" PARENT_SCOPE)
endfunction()
