from claimaudit.cli import main

main()
