# Builds the Windows one-folder bundle installer\dist\qdaapp with PyInstaller and checks it.
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#
# UNTESTED: this is the Windows counterpart of installer/build.sh, which is the build that has been run
# (on Linux). It uses the same spec, installer\qdaapp.spec, which on Windows makes qdaapp.exe (no console
# window: what the researcher double-clicks) and qdaapp-cli.exe (the same program for the command line).
# Needs Python 3.11 or newer from python.org (set PYTHON to its python.exe to choose one).
$ErrorActionPreference = "Stop"
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Root = Split-Path -Parent $Here
$Venv = Join-Path $Here ".venv-build"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Work = Join-Path $Here "build"
$Dist = Join-Path $Here "dist"
$Bundle = Join-Path $Dist "qdaapp"
$MaxMB = if ($env:QDAAPP_MAX_BUNDLE_MB) { [int]$env:QDAAPP_MAX_BUNDLE_MB } else { 300 }
$PyInstallerReq = if ($env:QDAAPP_PYINSTALLER) { $env:QDAAPP_PYINSTALLER } else { "pyinstaller>=6.10,<7" }
$Started = Get-Date

function Invoke-Checked {
    param([string]$Program, [string[]]$Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

Write-Host "== build environment $Venv"
if (-not (Test-Path $VenvPython)) {
    if ($env:PYTHON) {
        Invoke-Checked $env:PYTHON @("-m", "venv", $Venv)
    } elseif (Get-Command py -ErrorAction SilentlyContinue) {
        Invoke-Checked "py" @("-3", "-m", "venv", $Venv)
    } else {
        Invoke-Checked "python" @("-m", "venv", $Venv)
    }
    Invoke-Checked $VenvPython @("-c", "import sys; sys.exit(sys.version_info < (3, 11))")
}
$Pip = @("-m", "pip", "install", "-q", "--disable-pip-version-check")
Invoke-Checked $VenvPython ($Pip + @($PyInstallerReq))

# pip builds a local project in its own folder, so it gets a clean copy of the sources.
Write-Host "== installing qdaapp (not editable) from a copy of $Root"
$Src = Join-Path $Work "src"
if (Test-Path $Src) { Remove-Item -Recurse -Force $Src }
New-Item -ItemType Directory -Force -Path $Src | Out-Null
foreach ($f in @("pyproject.toml", "README.md", "LICENSE", "LICENSE.txt", "COPYING")) {
    if (Test-Path (Join-Path $Root $f)) { Copy-Item (Join-Path $Root $f) $Src }
}
& robocopy (Join-Path $Root "qdaapp") (Join-Path $Src "qdaapp") /E /XD __pycache__ /XF *.pyc /NFL /NDL /NJH /NJS /NP | Out-Null
if ($LASTEXITCODE -ge 8) { throw "copying the sources failed (robocopy exit code $LASTEXITCODE)" }
Invoke-Checked $VenvPython ($Pip + @($Src))
Remove-Item -Recurse -Force $Src

Write-Host "== PyInstaller"
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
Push-Location $Work
try {
    Invoke-Checked (Join-Path $Venv "Scripts\pyinstaller.exe") @("--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", $Dist, "--workpath", (Join-Path $Work "pyinstaller"), (Join-Path $Here "qdaapp.spec"))
} finally {
    Pop-Location
}

Write-Host "== checking the bundle"
Invoke-Checked (Join-Path $Bundle "qdaapp-cli.exe") @("--selftest")

$Bytes = (Get-ChildItem -Recurse -File $Bundle | Measure-Object -Property Length -Sum).Sum
$SizeMB = [math]::Ceiling($Bytes / 1MB)
$Took = (Get-Date) - $Started
Write-Host ("== bundle {0}: {1} MB" -f $Bundle, $SizeMB)
Write-Host ("== build took {0}m{1:00}s" -f [int][math]::Floor($Took.TotalMinutes), $Took.Seconds)
if ($SizeMB -gt $MaxMB) { throw "the bundle is $SizeMB MB, over the $MaxMB MB limit" }

if ($env:QDAAPP_ARCHIVE -ne "0") {
    $Version = (& $VenvPython -c "import qdaapp; print(qdaapp.__version__)").Trim()
    $Zip = Join-Path $Dist "qdaapp-$Version-windows-x64.zip"
    if (Test-Path $Zip) { Remove-Item -Force $Zip }
    Compress-Archive -Path $Bundle -DestinationPath $Zip
    Write-Host "== archive $Zip"
}
Write-Host "== done: double-click $Bundle\qdaapp.exe"
