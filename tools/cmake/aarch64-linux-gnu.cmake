# Cross-compiles sirenbox for 64-bit Arm Linux (Raspberry Pi OS bookworm 64-bit = Debian 12 arm64)
# on a Debian 12 amd64 machine, using Debian's cross compiler and Debian multiarch for the target
# libraries (`dpkg --add-architecture arm64`, then the `:arm64` -dev packages; tools/cross-test
# installs them). The target's libraries and headers live on the host itself
# (/usr/lib/aarch64-linux-gnu, /usr/include), so there is no separate sysroot.
#
#   cmake -S . -B build-aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=tools/cmake/aarch64-linux-gnu.cmake
#
# CMAKE_CROSSCOMPILING_EMULATOR makes ctest (and gtest_discover_tests at build time) run the Arm
# executables through qemu-user, so the same ctest command works as on the host.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SIRENBOX_CROSS_TRIPLET aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${SIRENBOX_CROSS_TRIPLET}-gcc-12)
set(CMAKE_CXX_COMPILER ${SIRENBOX_CROSS_TRIPLET}-g++-12)
set(CMAKE_LIBRARY_ARCHITECTURE ${SIRENBOX_CROSS_TRIPLET})

# Debian multiarch: arm64 libraries and CMake package files are under /usr/lib/aarch64-linux-gnu,
# which CMake searches first because of CMAKE_LIBRARY_ARCHITECTURE; the cross toolchain's own
# runtime is under /usr/aarch64-linux-gnu. Programs (pkg-config, python, mosquitto) are the host's.
set(CMAKE_FIND_ROOT_PATH /usr/${SIRENBOX_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config must see only the arm64 .pc files (and the architecture-independent ones), never the
# host's x86_64 ones.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SIRENBOX_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# Run Arm executables through qemu-user. `-L /` makes qemu load the arm64 dynamic loader
# (/lib/ld-linux-aarch64.so.1) and libraries from the multiarch paths: the same Debian libc6:arm64,
# libstdc++6:arm64 and library packages that a Raspberry Pi runs.
# Without qemu-user the build still works (to copy the binaries to a board); only the tests cannot run here.
find_program(SIRENBOX_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(SIRENBOX_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SIRENBOX_QEMU_AARCH64} -L /)
endif()
